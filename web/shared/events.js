// The protocol's event names (docs/protocol.md), the one list the widget and the console use.
// Socket.IO's own events (connect, disconnect, connect_error) are not protocol events and are
// not here; nor are the types of timeline items (message, contact.assigned...), which are data.

// Both namespaces.
export const EVENT = "event"; // every timeline item
export const HISTORY = "history";
export const MESSAGE_SEND = "message.send";
export const TYPING = "typing";
export const CONTACT_ENDED = "contact.ended";
export const CALLBACK_UPDATED = "callback.updated";

// Customer namespace (/customer).
export const SESSION = "session";
export const IDENTIFY = "identify";
export const CONTACT_REQUEST = "contact.request";
export const CONTACT_CANCEL = "contact.cancel";
export const PAGE = "page";
export const CONTACT_QUEUED = "contact.queued";
export const CONTACT_ASSIGNED = "contact.assigned";
export const CONTACT_NO_AGENT = "contact.no_agent";
export const AGENTS_ONLINE = "agents.online";
export const SURVEY_REQUEST = "survey.request";
export const SURVEY_ANSWER = "survey.answer";

// Agent namespace (/agent).
export const SNAPSHOT = "snapshot";
export const PRESENCE = "presence";
export const OFFER = "offer";
export const OFFER_ACCEPT = "offer.accept";
export const OFFER_DECLINE = "offer.decline";
export const OFFER_REVOKED = "offer.revoked";
export const NOTE_ADD = "note.add";
export const CONTACT_END = "contact.end";
export const CALLBACK_OUTCOME = "callback.outcome";
export const CUSTOMER_PAGE = "customer.page";
export const CUSTOMER_PRESENCE = "customer.presence"; // the shopper's socket came or went
export const AGENT_PRESENCE = "agent.presence"; // supervisors: set another agent's status
export const QUEUE_UPDATED = "queue.updated";
export const AGENT_UPDATED = "agent.updated";
export const ANDON = "andon"; // supervisors: a product's line is stopped
export const ANDON_CLEARED = "andon.cleared";
export const SURVEY_ANSWERED = "survey.answered"; // supervisors: an answer the figures count
export const CUSTOMER_ERASED = "customer.erased"; // a customer's personal data was erased
export const SESSION_ENDED = "session.ended"; // the socket's token was revoked or expired
export const ANDON_RAISE = "andon.raise";
export const ANDON_CLEAR = "andon.clear";
// Transfers and watching (console/src/transfer.js).
export const CONTACT_TRANSFER = "contact.transfer";
export const TRANSFER_TARGETS = "transfer.targets";
export const CONTACT_WATCH = "contact.watch";
export const CONTACT_UNWATCH = "contact.unwatch";
export const CONTACT_LIST = "contact.list"; // supervisors: every live contact

// Mayday (live video help), both namespaces.
export const RTC_CONFIG = "rtc.config";
export const RTC_REJOIN = "rtc.rejoin";
export const RTC_SIGNAL = "rtc.signal";
export const RTC_STATE = "rtc.state";
export const COBROWSE_EVENTS = "cobrowse.events";
export const COBROWSE_SNAPSHOT = "cobrowse.snapshot";
export const COBROWSE_CHUNK = "cobrowse.chunk"; // a batch too big for one message, in slices
export const LASER_MOVE = "laser.move"; // the agent's live laser pointer (never stored)
export const LASER_END = "laser.end";
export const SHARE_PAUSE = "share.pause";
export const SHARE_RESUME = "share.resume";
export const SHARE_STATE = "share.state";
export const ANNOTATION_DRAW = "annotation.draw";
export const ANNOTATION_CLEAR = "annotation.clear";

// What the hub sends a customer, besides session and event: the widget hands these on.
export const MAYDAY_TO_CUSTOMER = [RTC_CONFIG, RTC_SIGNAL, RTC_STATE, COBROWSE_SNAPSHOT, LASER_MOVE, LASER_END];
export const TO_CUSTOMER = [CONTACT_QUEUED, CONTACT_ASSIGNED, CONTACT_ENDED, CONTACT_NO_AGENT, AGENTS_ONLINE, CALLBACK_UPDATED, SURVEY_REQUEST, TYPING, ...MAYDAY_TO_CUSTOMER];

// What the hub sends an agent: the events that change the console's state (state.js apply),
// and the Mayday ones, for the live video session (stage.js). Typing is shown, not kept.
export const AGENT_STATE_EVENTS = [OFFER, OFFER_REVOKED, EVENT, CONTACT_ENDED, PRESENCE, QUEUE_UPDATED, AGENT_UPDATED, CALLBACK_UPDATED, CUSTOMER_PAGE, CUSTOMER_PRESENCE, ANDON, ANDON_CLEARED, SURVEY_ANSWERED, CUSTOMER_ERASED];
export const MAYDAY_TO_AGENT = [RTC_CONFIG, RTC_SIGNAL, RTC_STATE, COBROWSE_EVENTS, COBROWSE_CHUNK, SHARE_STATE];
