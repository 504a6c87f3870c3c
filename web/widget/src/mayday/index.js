// Entry point of widget-mayday.js, the part of the widget only a Mayday session needs (rrweb,
// WebRTC, the consent frame, the video window, the drawing overlay). widget.js loads it at the
// "Live video help" tap and finds it as Lifeline.Mayday.
import { Session } from "./session.js";

if (window.Lifeline) window.Lifeline.Mayday = Session;
