// The growth plot, drawn as SVG by hand (no plotting dependency): two panels,
// spawn-to-healthy and the manager's RSS against the number of repos, one
// line per contender with its median and a min–max bar at each size.
const COLORS = { repovisor: '#d62728', pm2: '#1f77b4', supervisord: '#2ca02c', floor: '#7f7f7f' };
const LABELS = { repovisor: 'Repovisor', pm2: 'PM2', supervisord: 'supervisord', floor: 'floor (bare node spawner)' };
const W = 460;
const H = 340;
const M = { left: 62, right: 18, top: 40, bottom: 48 };

function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((step) => step * power).find((candidate) => candidate >= value);
}

function panel(x0, title, unit, series, sizes) {
  const maxX = Math.max(...sizes);
  const maxY = niceMax(Math.max(...series.flatMap((line) => line.points.map((point) => point.max))));
  const px = (size) => x0 + M.left + (size / maxX) * (W - M.left - M.right);
  const py = (value) => M.top + (1 - value / maxY) * (H - M.top - M.bottom);
  const out = [`<text x="${x0 + W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${title}</text>`];
  for (let i = 0; i <= 5; i += 1) {
    const value = (maxY * i) / 5;
    out.push(`<line x1="${px(0)}" x2="${px(maxX)}" y1="${py(value)}" y2="${py(value)}" stroke="#ddd"/>`);
    out.push(`<text x="${px(0) - 6}" y="${py(value) + 4}" text-anchor="end" font-size="11">${+value.toFixed(2)}</text>`);
  }
  for (const size of sizes) {
    out.push(`<line x1="${px(size)}" x2="${px(size)}" y1="${py(0)}" y2="${py(0) + 4}" stroke="#333"/>`);
    out.push(`<text x="${px(size)}" y="${py(0) + 17}" text-anchor="middle" font-size="11">${size}</text>`);
  }
  out.push(`<line x1="${px(0)}" x2="${px(maxX)}" y1="${py(0)}" y2="${py(0)}" stroke="#333"/>`);
  out.push(`<line x1="${px(0)}" x2="${px(0)}" y1="${py(0)}" y2="${py(maxY)}" stroke="#333"/>`);
  out.push(`<text x="${x0 + M.left + (W - M.left - M.right) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">repositories (apps)</text>`);
  out.push(`<text transform="translate(${x0 + 16},${M.top + (H - M.top - M.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${unit}</text>`);
  for (const line of series) {
    const color = COLORS[line.name];
    const points = line.points.filter((point) => Number.isFinite(point.median));
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${px(p.size).toFixed(1)},${py(p.median).toFixed(1)}`).join(' ')}"/>`);
    for (const p of points) {
      out.push(`<line x1="${px(p.size)}" x2="${px(p.size)}" y1="${py(p.min)}" y2="${py(p.max)}" stroke="${color}"/>`);
      out.push(`<circle cx="${px(p.size)}" cy="${py(p.median)}" r="3.5" fill="${color}"><title>${LABELS[line.name]}, ${p.size}: ${p.median.toFixed(2)} ${unit}</title></circle>`);
    }
  }
  return out.join('\n');
}

/**
 * The SVG text. `spawn` and `memory` are lists of {name, points: [{size,
 * median, min, max}]}, in seconds and MiB.
 */
export function scalingSvg({ spawn, memory, sizes, caption }) {
  const width = W * 2;
  const height = H + 50;
  const legend = Object.keys(COLORS)
    .filter((name) => spawn.some((line) => line.name === name))
    .map((name, index) => `<rect x="${70 + index * 210}" y="${H + 10}" width="14" height="4" fill="${COLORS[name]}"/><text x="${90 + index * 210}" y="${H + 16}" font-size="12">${LABELS[name]}</text>`)
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    panel(0, 'Spawn-to-healthy', 'seconds', spawn, sizes),
    panel(W, 'Manager process RSS', 'MiB', memory, sizes),
    legend,
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#555">${caption}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
