package dev.ami.capture;

/** A capture input that cannot be opened; the message says which and why. */
public final class CaptureException extends Exception {
  public CaptureException(String message) {
    super(message);
  }
}
