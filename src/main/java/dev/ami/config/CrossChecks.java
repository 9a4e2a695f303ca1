package dev.ami.config;


/** Rules that involve more than one key. */
final class CrossChecks {
  private CrossChecks() {
  }

  static void verify(AmiConfig c) {
    ModelSettings.verify(c);
    WorldIoSettings.verify(c);
    ConsoleOptions console = ConsoleOptions.from(c);
    console.requireSafeBinding();
    console.requireTlsFiles();
  }
}
