// ISO 8601 dates at their precision (`2023`, `2023-02`, `2023-02-17`) as spans of days: a month is a span, not a point.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The first day of a partial date, as a UTC Date. */
export function firstDay(partial) {
  const [y, m = "01", d = "01"] = String(partial).split("-");
  return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
}

/** The last day of a partial date, as a UTC Date. */
export function lastDay(partial) {
  const parts = String(partial).split("-");
  const y = Number(parts[0]);
  if (parts.length === 1) return new Date(Date.UTC(y, 11, 31));
  const m = Number(parts[1]);
  if (parts.length === 2) return new Date(Date.UTC(y, m, 0));
  return new Date(Date.UTC(y, m - 1, Number(parts[2])));
}

/** "Feb 2023", "17 Feb 2023", "2023" for a partial date. */
export function formatPartial(partial) {
  if (!partial) return "";
  const parts = String(partial).split("-");
  if (parts.length === 1) return parts[0];
  const month = MONTHS[Number(parts[1]) - 1];
  if (parts.length === 2) return `${month} ${parts[0]}`;
  return `${Number(parts[2])} ${month} ${parts[0]}`;
}

/** A date value ({date, precision, inferred}) or event time ({start, end, precision, inferred}) in words. */
export function formatDateValue(value) {
  if (!value) return "no date";
  const start = value.date ?? value.start;
  let text = formatPartial(start);
  if (value.end) text += ` – ${formatPartial(value.end)}`;
  text += ` (${value.precision}${value.inferred ? ", inferred" : ""})`;
  return text;
}

/** A span of days [from, to], both ISO days (YYYY-MM-DD), in words. */
export function formatDays(from, to) {
  if (!from) return "no date";
  if (!to || from === to) return formatPartial(from);
  const [fy, fm, fd] = from.split("-");
  const [ty, tm, td] = to.split("-");
  if (fm === "01" && fd === "01" && tm === "12" && td === "31") return fy === ty ? fy : `${fy} – ${ty}`;
  const monthEnd = new Date(Date.UTC(Number(ty), Number(tm), 0)).getUTCDate();
  if (fd === "01" && Number(td) === monthEnd) {
    return fy === ty && fm === tm ? formatPartial(`${fy}-${fm}`) : `${formatPartial(`${fy}-${fm}`)} – ${formatPartial(`${ty}-${tm}`)}`;
  }
  return `${formatPartial(from)} – ${formatPartial(to)}`;
}

export const DAY_MS = 86_400_000;
export { MONTHS };
