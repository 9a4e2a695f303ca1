package dev.ami.runtime;

/** The process's exit codes that mean something beyond success (0) and failure (1). */
public final class ExitCodes {
  /** A configuration or command line that cannot be used: nothing was started. */
  public static final int CONFIG = 2;

  private ExitCodes() {
  }
}
