package dev.ami.console;

/** A request the console refuses; {@code id} is the request's id when it could be read. */
public final class ProtocolException extends RuntimeException {
  private final transient Object id;

  public ProtocolException(Object id, String message) {
    super(message, null, false, false);
    this.id = id;
  }

  public Object id() {
    return id;
  }
}
