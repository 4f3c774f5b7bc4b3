import type { Key } from '../stores/types.js';

/** Where a segment stands: the key to resume after, and whether it is finished. */
export interface SegmentState {
  segment: number;
  /** Resume the scan after this key; undefined means from the start of the segment. */
  startKey: Key | undefined;
  done: boolean;
  itemsWritten: number;
}

/** One scanned page waiting for its batches to be acknowledged by the target. */
export interface PageTicket {
  readonly segment: number;
  readonly lastKey: Key | undefined;
  readonly items: number;
  remainingBatches: number;
}

/**
 * Tracks, per segment, the pages in flight. A segment's resume key advances only past pages whose
 * batches, and those of every earlier page of that segment, the target acknowledged: so resuming from
 * it may rewrite items (harmless: a put overwrites) but never skips one.
 */
export class SegmentProgress {
  private readonly states: SegmentState[];
  private readonly inFlight: PageTicket[][];

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

  /** Registers a scanned page. A page with no batches (an empty page) is acknowledged at once. */
  addPage(segment: number, lastKey: Key | undefined, items: number, batches: number): PageTicket {
    const ticket: PageTicket = { segment, lastKey, items, remainingBatches: batches };
    this.inFlight[segment]!.push(ticket);
    if (batches === 0) this.advance(segment);
    return ticket;
  }

  /** One batch of the page was written. Returns true when the segment's resume point moved. */
  ackBatch(ticket: PageTicket): boolean {
    ticket.remainingBatches -= 1;
    return ticket.remainingBatches === 0 && this.advance(ticket.segment);
  }

  private advance(segment: number): boolean {
    const queue = this.inFlight[segment]!;
    const state = this.states[segment]!;
    let moved = false;
    while (queue.length > 0 && queue[0]!.remainingBatches === 0) {
      const page = queue.shift()!;
      state.itemsWritten += page.items;
      state.startKey = page.lastKey;
      if (page.lastKey === undefined) state.done = true;
      moved = true;
    }
    return moved;
  }
}
