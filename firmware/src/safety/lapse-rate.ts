// Where a pump rests once a lease lapses, stated once: the firmware applies it, the MIL level's ideal pump
// copies the firmware with it, and the scenario criteria judge a run by it.

/**
 * The pump's safe rate, or the rate the host asked it to hold when the lease lapses (a vasopressor:
 * stopping one abruptly is a hazard), never above the commanded rate or the board's maxLapseRateMlPerH.
 */
export function lapseRestMlPerH(rateMlPerH: number, askedMlPerH: number, maxLapseMlPerH: number, safeMlPerH: number): number {
  const held = Math.min(askedMlPerH, rateMlPerH, maxLapseMlPerH);
  return held > safeMlPerH ? held : safeMlPerH;
}
