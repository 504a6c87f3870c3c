// The agent console: log in, take offers, hold several conversations, call back, wrap up,
// and (for supervisors) watch the live queue and the team, which admins change (team.js).
// It loads a snapshot, then applies events:
// state.js holds and changes the state, view.js (with panels.js) draws it, controller.js
// wires the hub to both, video.js and stage.js do live video.
import { Console } from "./controller.js";

new Console().start();
