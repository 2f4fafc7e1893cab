// Hands out the bridge addresses of sandbox hosts: the /24 of the bridge, minus the bridge itself.
export class AddressPool {
  readonly prefix: string;
  readonly #used = new Set<number>();
  readonly #reserved: number;

  constructor(bridgeAddress: string) {
    const parts = bridgeAddress.split('.');
    this.prefix = parts.slice(0, 3).join('.');
    this.#reserved = Number(parts[3]);
  }

  /** Marks addresses already held (e.g. by hosts re-adopted after a restart). */
  hold(address: string): void {
    this.#used.add(this.#lastOctet(address));
  }

  /** The lowest free addresses, or undefined when fewer than `count` are free. */
  take(count: number): string[] | undefined {
    const free: number[] = [];
    for (let octet = 2; octet <= 254 && free.length < count; octet++) {
      if (octet !== this.#reserved && !this.#used.has(octet)) free.push(octet);
    }
    if (free.length < count) return undefined;
    free.forEach((octet) => this.#used.add(octet));
    return free.map((octet) => `${this.prefix}.${octet}`);
  }

  release(address: string): void {
    this.#used.delete(this.#lastOctet(address));
  }

  get free(): number {
    return 253 - (this.#reserved >= 2 && this.#reserved <= 254 ? 1 : 0) - this.#used.size;
  }

  #lastOctet(address: string): number {
    if (!address.startsWith(`${this.prefix}.`)) throw new Error(`${address} is not on ${this.prefix}.0/24`);
    return Number(address.slice(this.prefix.length + 1));
  }
}
