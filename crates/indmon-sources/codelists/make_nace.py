"""Builds estat_nace_r2.csv: Eurostat's nace_r2 codes and English labels, used to map the label form of
Eurostat SDMX-CSV files back to codes. Sections and divisions come from the NACE Rev. 2 classification
(data/eurostat-classifications/nace2_en.csv; sections turned to sentence case as Eurostat labels them,
divisions prefixed with their section letter as Eurostat codes them, e.g. C26); the aggregates of the
A*10, A*21, A*38 and A*64 breakdowns are listed below with Eurostat's labels.
Run from this folder: python3 make_nace.py"""
import csv

AGGREGATES = [
    ("TOTAL", "Total - all NACE activities"),
    ("B-E", "Industry (except construction)"),
    ("B-F", "Industry and construction"),
    ("C10-C12", "Manufacture of food products; beverages and tobacco products"),
    ("C13-C15", "Manufacture of textiles, wearing apparel, leather and related products"),
    ("C16-C18", "Manufacture of wood, paper, printing and reproduction"),
    ("C22_C23", "Manufacture of rubber and plastic products and other non-metallic mineral products"),
    ("C24_C25", "Manufacture of basic metals and fabricated metal products, except machinery and equipment"),
    ("C29_C30", "Manufacture of motor vehicles, trailers, semi-trailers and of other transport equipment"),
    ("C31-C33", "Manufacture of furniture; jewellery, musical instruments, toys; repair and installation of machinery and equipment"),
    ("C31_C32", "Manufacture of furniture; other manufacturing"),
    ("E37-E39", "Sewerage, waste management, remediation activities"),
    ("G-I", "Wholesale and retail trade, transport, accommodation and food service activities"),
    ("G-J", "Wholesale and retail trade, transport, accommodation and food service activities, information and communication"),
    ("J58-J60", "Publishing, motion picture, video, television programme production; sound recording, programming and broadcasting activities"),
    ("J59_J60", "Motion picture, video, television programme production; programming and broadcasting activities"),
    ("J62_J63", "Computer programming, consultancy, and information service activities"),
    ("L68A", "Imputed rents of owner-occupied dwellings"),
    ("M_N", "Professional, scientific and technical activities; administrative and support service activities"),
    ("M69-M71", "Legal and accounting activities; activities of head offices; management consultancy activities; architectural and engineering activities; technical testing and analysis"),
    ("M69_M70", "Legal and accounting activities; activities of head offices; management consultancy activities"),
    ("M73-M75", "Advertising and market research; other professional, scientific and technical activities; veterinary activities"),
    ("M74_M75", "Other professional, scientific and technical activities; veterinary activities"),
    ("N80-N82", "Security and investigation, service and landscape, office administrative and support activities"),
    ("O-Q", "Public administration, defence, education, human health and social work activities"),
    ("Q87_Q88", "Residential care activities and social work activities without accommodation"),
    ("R-U", "Arts, entertainment and recreation; other service activities; activities of household and extra-territorial organizations and bodies"),
    ("R90-R92", "Creative, arts and entertainment activities; libraries, archives, museums and other cultural activities; gambling and betting activities"),
]

rows = list(AGGREGATES)
section_of = {}
with open("../../../data/eurostat-classifications/nace2_en.csv", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        code, name, parent = r["nace2"], r["NAME"], r["Parent"]
        if len(code) == 1:
            rows.append((code, name[:1] + name[1:].lower()))
        elif len(code) == 2:
            section_of[code] = parent
            rows.append((parent + code, name))
with open("estat_nace_r2.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["code", "label"])
    w.writerows(rows)
