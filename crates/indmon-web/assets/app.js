// indmon dashboard: draws every chart figure of the page with ECharts from the option
// the server put in the figure's JSON block, in the page's language; adds the number
// formats, a tooltip showing the figure's table row, and the PNG / SVG downloads; a
// point with a `url` (a product, a material) opens its page when clicked.
// No inline code and no inline styles (the Content-Security-Policy forbids both).
(function () {
  'use strict';
  var lang = document.documentElement.lang === 'en' ? 'en-GB' : 'nl-NL';

  function fmt(decimals) {
    return new Intl.NumberFormat(lang, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // The option with the functions JSON cannot carry: axis label formats and a
  // tooltip that shows the table row of the category under the pointer.
  function complete(spec, forExport) {
    var option = spec.option;
    var unit = spec.unit === '%' ? ' %' : ' ' + spec.unit;
    var axisFmt = fmt(1);
    // value axes get the language's number format and the unit; category axes keep their labels
    [option.xAxis, option.yAxis].forEach(function (axes) {
      (Array.isArray(axes) ? axes : [axes]).forEach(function (a) {
        if (!a || a.type !== 'value') return;
        a.axisLabel = a.axisLabel || {};
        var isUnit = a.name === '%' || a.name === undefined;
        a.axisLabel.formatter = function (v) {
          return isUnit ? axisFmt.format(v) + unit : fmt(a.max === 1 ? 1 : 0).format(v);
        };
        if (a.name === '%') delete a.name;
      });
    });
    option.animation = !forExport;
    option.aria = { enabled: false };
    option.backgroundColor = '#ffffff';
    option.textStyle = { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif' };
    var table = spec.table || {};
    var byItem = spec.trigger === 'item';
    option.tooltip = {
      trigger: byItem ? 'item' : 'axis',
      className: 'chart-tooltip',
      axisPointer: { type: byItem ? 'none' : 'line' },
      formatter: function (params) {
        var p = Array.isArray(params) ? params[0] : params;
        if (!p) return '';
        if (byItem) {
          var v = Array.isArray(p.value) ? p.value : [p.value];
          return '<strong>' + escapeHtml(p.name) + '</strong><br>' + escapeHtml(p.seriesName) +
            '<br>' + v.map(function (x) { return fmt(2).format(x); }).join(' · ');
        }
        var rows = table.rows;
        if (rows && rows[p.dataIndex]) {
          var head = table.head || [];
          return rows[p.dataIndex].map(function (cell, k) {
            if (!cell) return '';
            return k === 0
              ? '<strong>' + escapeHtml(cell) + '</strong>'
              : escapeHtml(head[k] || '') + ': ' + escapeHtml(cell);
          }).filter(Boolean).join('<br>');
        }
        var out = ['<strong>' + escapeHtml(p.name) + '</strong>'];
        (Array.isArray(params) ? params : [params]).forEach(function (q) {
          if (q.seriesName === 'base' || q.value == null) return;
          var v = typeof q.value === 'object' ? q.value.value : q.value;
          out.push(escapeHtml(q.seriesName) + ': ' + fmt(2).format(v) + unit);
        });
        return out.join('<br>');
      },
    };
    return option;
  }

  function save(href, name) {
    var a = document.createElement('a');
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function draw(figure) {
    var block = document.getElementById(figure.id + '-data');
    var el = document.getElementById(figure.id + '-canvas');
    if (!block || !el || typeof echarts === 'undefined') return;
    var spec = JSON.parse(block.textContent);
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(complete(JSON.parse(block.textContent), false));
    window.addEventListener('resize', function () { chart.resize(); });
    // a point that carries a page of its own (a product, a material) opens it on a click
    chart.on('click', function (p) {
      var url = p && p.data && p.data.url;
      if (typeof url === 'string' && url.charAt(0) === '/' && url.charAt(1) !== '/') {
        window.location.href = url;
      }
    });
    figure.querySelectorAll('button[data-download]').forEach(function (button) {
      button.addEventListener('click', function () {
        var kind = button.getAttribute('data-download');
        if (kind === 'png') {
          save(chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' }),
               spec.filename + '.png');
        } else if (kind === 'svg') {
          var ssr = echarts.init(null, null, {
            renderer: 'svg', ssr: true,
            width: el.clientWidth || 800, height: el.clientHeight || 400,
          });
          ssr.setOption(complete(JSON.parse(block.textContent), true));
          var svg = ssr.renderToSVGString();
          ssr.dispose();
          var url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
          save(url, spec.filename + '.svg');
          setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        }
      });
    });
    figure.setAttribute('data-drawn', 'true');
  }

  function start() {
    document.querySelectorAll('figure.chart').forEach(draw);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
