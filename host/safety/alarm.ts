// An alarm condition as the host's safety layer raises it: a stable id (so a raise and its clearing pair
// up), an IEC 60601-1-8 style priority, and a text that names the cause and what to do.

export interface Alarm {
  id: string;
  priority: 'low' | 'medium' | 'high';
  text: string;
}

const RANK = { high: 0, medium: 1, low: 2 } as const;

/** Highest priority first; the order within a priority is kept. */
export function byPriority(alarms: Alarm[]): Alarm[] {
  return alarms.length < 2 ? alarms.slice() : alarms.slice().sort((a, b) => RANK[a.priority] - RANK[b.priority]);
}
