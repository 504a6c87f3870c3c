// Phone numbers in E.164: what the customer types, made into "+" and digits, or null.
export function toE164(input) {
  let s = String(input || "").trim().replace(/[\s().\-\/]/g, "");
  if (s.startsWith("00")) s = "+" + s.slice(2);
  return /^\+[1-9]\d{6,14}$/.test(s) ? s : null;
}
