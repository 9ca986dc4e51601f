/** Types shared by the console's components. */
import type { LiveTicketAlert } from '$contract/api';

/** What the operator saw when opening the reassign dialog: tickets with the versions they saw. */
export interface ReassignTarget {
  tickets: Array<Pick<LiveTicketAlert, 'ticketId' | 'version' | 'subject' | 'team' | 'agentId'>>;
  suggestedAgentId: string | null;
}

/** A message shown at the top of the console after an action. */
export interface ConsoleMessage {
  kind: 'ok' | 'conflict' | 'error';
  text: string;
}
