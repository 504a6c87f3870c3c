// The console's network code: logging in over REST and one socket.io connection to /agent.
import { io } from "socket.io-client";

export async function login(email, password) {
  const res = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw body.error || { code: "unauthorized", message: "Wrong email or password" };
  return body;
}

// Revokes the token on the hub (its other sockets are told and dropped); never throws: signing
// out goes on even when the hub cannot be reached.
export async function logoutToken(token) {
  try {
    await fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${token}` } });
  } catch (_) {
    /* offline: the token expires by itself */
  }
}

export function connect(token) {
  return io("/agent", {
    path: "/socket.io/",
    transports: ["websocket", "polling"],
    auth: { token },
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
}

// Emit with an ack; resolves with the ack when ok, rejects with its error otherwise.
export function request(socket, name, payload, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit(name, payload || {}, (err, ack) => {
      if (err) return reject({ code: "timeout", message: "The hub did not answer in time" });
      if (ack && ack.ok) resolve(ack);
      else reject((ack && ack.error) || { code: "error", message: "Unexpected answer" });
    });
  });
}
