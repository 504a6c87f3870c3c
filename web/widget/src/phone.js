// Phone numbers in E.164: what the customer types, made into "+" and digits, or null.
export function toE164(input) {
  let s = String(input || "").trim().replace(/[\s().\-\/]/g, "");
  if (s.startsWith("00")) s = "+" + s.slice(2);
  return /^\+[1-9]\d{6,14}$/.test(s) ? s : null;
}

// What to send the hub for what the customer typed, or null when it cannot be a number: with
// "+" (or "00") it must be E.164; without, only with the shopper's country, which the hub
// reads it with ("06 12 34 56 78" in FR). The hub has the last word on either.
export function phoneToSend(input, country) {
  const typed = String(input || "").trim();
  if (!/^[+\d\s().\-\/]{4,40}$/.test(typed) || (typed.match(/\d/g) || []).length < 6) return null;
  const e164 = toE164(typed);
  if (e164) return e164;
  if (/^(\+|00)/.test(typed.replace(/[\s().\-\/]/g, ""))) return null;
  return country ? typed : null;
}
