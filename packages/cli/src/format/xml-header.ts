/**
 * conntrack prints the XML header lazily, before the first flow, so an empty result prints
 * nothing at all; the footer follows only if the header was printed. -G prints no footer and
 * -D/-U print neither; the caller picks which of these calls to make.
 */
export class LazyXmlHeader {
  private readonly header: string;
  private readonly footer: string;
  private printed = false;

  constructor(header: string, footer: string) {
    this.header = header;
    this.footer = footer;
  }

  /** The header the first time, "" afterwards. */
  beforeFlow(): string {
    if (this.printed) return "";
    this.printed = true;
    return this.header;
  }

  /** The footer if the header was printed, else "". */
  end(): string {
    return this.printed ? this.footer : "";
  }
}
