/**
 * At most `size` messages of a batch between their claim and the provider's answer. A lane leaves the
 * gate as soon as the provider answered, so the next message's claim and call start while this one's
 * outcome is being written, instead of after it.
 */
export class CallGate {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** One lane's way through the gate: entering twice or leaving twice is harmless. */
  pass(): GatePass {
    let inside = false;
    return {
      enter: async () => {
        if (inside) return;
        if (this.free > 0) this.free -= 1;
        else await new Promise<void>((resolve) => this.waiting.push(resolve));
        inside = true;
      },
      leave: () => {
        if (!inside) return;
        inside = false;
        const next = this.waiting.shift();
        if (next) next();
        else this.free += 1;
      },
    };
  }
}

export interface GatePass {
  enter(): Promise<void>;
  leave(): void;
}

/** No gate: a lane that holds its message from the claim to the written outcome (one message per lane). */
export const OPEN_PASS: GatePass = { enter: async () => undefined, leave: () => undefined };
