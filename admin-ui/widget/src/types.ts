// Shapes of the public widget API, as server/internal/api/widget.go writes them.

export interface WidgetConfig {
  name: string;
  welcome_message?: string;
  color?: string;
  locale?: string;
  /** Agents are available; false shows the "leave a message" form. */
  online: boolean;
  require_identity?: boolean;
}

export interface Identity {
  user_id: string;
  name?: string;
  email?: string;
  ts: number;
  signature: string;
}

export interface Session {
  visitor_id: string;
  token: string;
  conversation_id: string | null;
}

/**
 * A file on a message. Files uploaded through the widget have an id and are served at
 * /widget/{channel}/attachments/{id} (the visitor token is required); in realtime
 * events url is empty for them. Linked files carry an absolute url instead.
 */
export interface Attachment {
  id?: string;
  name: string;
  content_type: string;
  size: number;
  url?: string;
}

/**
 * A message as the server sends it: GET /messages items, and the message of a
 * realtime event (conversation.Message). direction "in" = from the visitor. Inbound
 * messages carry no client_id: the ack (or the 202 of POST /messages) names their id.
 */
export interface ServerMessage {
  id: string;
  conversation_id?: string;
  direction: 'in' | 'out';
  sender_type?: string;
  sender_name?: string;
  type?: string;
  text: string;
  attachments?: Attachment[] | null;
  status?: string;
  client_id?: string;
  created_at: string;
}

/** A message the visitor wrote that the server has not acknowledged yet. */
export interface Pending {
  client_id: string;
  text: string;
  attachments: Attachment[];
  created_at: string;
  /** From the offline form. */
  name?: string;
  email?: string;
}

/** What the widget shows: a server message or a pending/failed one of ours. */
export interface ViewMessage {
  id?: string;
  client_id?: string;
  mine: boolean;
  sender_type?: string;
  sender_name?: string;
  text: string;
  attachments: Attachment[];
  /** sending | sent | read | failed (ours); received (theirs). */
  state: 'sending' | 'sent' | 'read' | 'failed' | 'received';
  error?: string;
  created_at: string;
  /** The visitor's rating of a bot answer (1, -1; 0 or absent: none); null: cannot be rated. */
  rating?: number | null;
}

/**
 * Frames of /widget/{channel}/ws. Events are conversation.Event: message.created and
 * message.updated carry the message; typing comes from the agent. ack and error answer
 * a {type:"message"} frame by its client_id; resync means events were dropped.
 */
export type ServerFrame =
  | { type: 'ack'; client_id: string; id: string; conversation_id?: string }
  | { type: 'message.created' | 'message.updated'; conversation_id?: string; message: ServerMessage }
  | { type: 'typing'; from?: string }
  | { type: 'read'; from?: string; message_id?: string }
  | { type: 'error'; code?: string; detail?: string; client_id?: string }
  | { type: 'resync' }
  | { type: 'pong' }
  | { type: string; [k: string]: unknown };
