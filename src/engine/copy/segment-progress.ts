import type { Key } from '../../stores/types.js';

/** Where a segment stands: the key to resume after, and whether it is finished. */
export interface SegmentState {
  segment: number;
  /** Resume the scan after this key; undefined means from the start of the segment. */
  startKey: Key | undefined;
  done: boolean;
  itemsWritten: number;
}

/** One batch of a scanned page, waiting for the target to acknowledge it. */
export interface BatchTicket {
  readonly segment: number;
  readonly items: number;
  /** Where the scan resumes once this batch and everything before it are written. */
  readonly resumeKey: Key | undefined;
  /** The last batch of the segment's last page. */
  readonly endsSegment: boolean;
  acknowledged: boolean;
}

/** A page's batches as the engine cut them: how many items, and the key of the last one. */
export interface BatchOutline {
  items: number;
  lastItemKey: Key;
}

/**
 * Tracks, per segment, the batches in flight, in scan order. A segment's resume key advances only
 * past batches that the target acknowledged, together with every batch before them: so resuming may
 * rewrite the few batches that were in flight (harmless: a put overwrites) but never skips an item.
 *
 * Inside a page the resume key is the key of the batch's last item. A Scan continues after any item's
 * key as it does after a LastEvaluatedKey (which is the key of the last item a page evaluated), so a
 * crash costs the batches in flight, not whole pages.
 */
export class SegmentProgress {
  private readonly states: SegmentState[];
  private readonly inFlight: BatchTicket[][];

  constructor(totalSegments: number, resumeFrom: readonly SegmentState[] = []) {
    this.states = Array.from({ length: totalSegments }, (_, segment) => ({
      segment,
      startKey: undefined,
      done: false,
      itemsWritten: 0,
    }));
    for (const saved of resumeFrom) this.states[saved.segment] = { ...saved };
    this.inFlight = Array.from({ length: totalSegments }, () => []);
  }

  state(segment: number): Readonly<SegmentState> {
    return this.states[segment]!;
  }

  snapshot(): SegmentState[] {
    return this.states.map((s) => ({ ...s }));
  }

  /**
   * Registers a scanned page cut into batches; returns one ticket per batch, in order. A page with no
   * batches (an empty page) is passed at once when nothing before it is in flight.
   */
  addPage(segment: number, lastKey: Key | undefined, batches: readonly BatchOutline[]): BatchTicket[] {
    const queue = this.inFlight[segment]!;
    if (batches.length === 0) {
      queue.push({
        segment,
        items: 0,
        resumeKey: lastKey,
        endsSegment: lastKey === undefined,
        acknowledged: true,
      });
      this.advance(segment);
      return [];
    }
    const tickets = batches.map((batch, index): BatchTicket => {
      const last = index === batches.length - 1;
      return {
        segment,
        items: batch.items,
        // The page's last batch resumes at the page's LastEvaluatedKey, which also marks the segment's end.
        resumeKey: last ? lastKey : batch.lastItemKey,
        endsSegment: last && lastKey === undefined,
        acknowledged: false,
      };
    });
    queue.push(...tickets);
    return tickets;
  }

  /** The batch was written. Returns true when the segment's resume point moved. */
  acknowledge(ticket: BatchTicket): boolean {
    ticket.acknowledged = true;
    return this.advance(ticket.segment);
  }

  private advance(segment: number): boolean {
    const queue = this.inFlight[segment]!;
    const state = this.states[segment]!;
    let moved = false;
    while (queue.length > 0 && queue[0]!.acknowledged) {
      const ticket = queue.shift()!;
      state.itemsWritten += ticket.items;
      state.startKey = ticket.resumeKey;
      if (ticket.endsSegment) state.done = true;
      moved = true;
    }
    return moved;
  }
}
