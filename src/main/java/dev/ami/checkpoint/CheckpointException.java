package dev.ami.checkpoint;

import java.nio.file.Path;

/** A checkpoint that cannot be used, with the file at fault and why. */
public final class CheckpointException extends Exception {
  private final transient Path file;
  private final String reason;

  public CheckpointException(Path file, String reason) {
    this(file, reason, null);
  }

  public CheckpointException(Path file, String reason, Throwable cause) {
    super(file + ": " + reason, cause);
    this.file = file;
    this.reason = reason;
  }

  public Path file() {
    return file;
  }

  public String reason() {
    return reason;
  }
}
