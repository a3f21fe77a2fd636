/** Lays out `rows` under `header` in columns two spaces apart, each as wide as its widest cell, one line each. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

/** `text` on one line (each run of white space, line breaks included, as one space), cut to `width` characters with `…`. */
export function oneLine(text: string, width = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}
