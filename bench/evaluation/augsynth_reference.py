# Reference numbers for indmon's augmented synthetic control (ridge ASCM) on the Basque case.
#
# Produces, on stdout as JSON, what pysyncon's AugSynth gives on the Basque panel with one
# predictor ("invest", mean over 1964-1969), outcome gdpcap, pre-periods 1955-1974, no covariates:
# the cross-validation lambda grid with its mean errors and standard errors, the chosen lambda,
# the augmented weights W, the synthetic-control weights synw, the L2 and scaled L2 imbalance and
# the average bias; then, for a fixed lambda = 1.0, the weights, average bias and L2 imbalance.
# crates/indmon-analytics/tests/it/evaluate_synth.rs compares indmon with these numbers.
#
# Versions: Python 3.11.7, pysyncon 1.7.0, pandas 3.1.2, numpy 2.4.6, scipy 1.17.1.
# Run: python bench/evaluation/augsynth_reference.py > aug_ref.json
# (the path below is the project's shared copy of data/basque.csv from sdfordham/pysyncon).
import pandas as pd, numpy as np, json
from pysyncon import Dataprep, AugSynth
df = pd.read_csv("/work/shared/data/evaluation/basque.csv")
controls=["Spain (Espana)","Andalucia","Aragon","Principado De Asturias","Baleares (Islas)","Canarias","Cantabria","Castilla Y Leon","Castilla-La Mancha","Cataluna","Comunidad Valenciana","Extremadura","Galicia","Madrid (Comunidad De)","Murcia (Region de)","Navarra (Comunidad Foral De)","Rioja (La)"]
dp=Dataprep(foo=df, predictors=["invest"], predictors_op="mean", time_predictors_prior=range(1964,1970), dependent="gdpcap", unit_variable="regionname", time_variable="year", treatment_identifier="Basque Country (Pais Vasco)", controls_identifier=controls, time_optimize_ssr=range(1955,1975))
a=AugSynth(); a.fit(dp, use_covariates=False)
cv=a.cv_result
out={"lambdas":list(cv.lambdas),"errors":list(cv.errors_mean),"errors_se":list(cv.errors_se),"lambda":a.lambda_,"weights":list(a.W),"synw":list(a.synw),"l2_imbalance":a.l2_imbalance,"scaled_l2_imbalance":a.scaled_l2_imbalance,"avg_bias":a.avg_bias}
b=AugSynth(); b.fit(dp, lambda_=1.0, use_covariates=False)
out["fixed_lambda"]=1.0; out["fixed_weights"]=list(b.W); out["fixed_avg_bias"]=b.avg_bias; out["fixed_l2_imbalance"]=b.l2_imbalance
print(json.dumps(out, indent=1))
