package dev.ami.bus;

/**
 * A message body from another JVM that this one cannot decode: a peer of another version (format byte), a
 * truncated buffer, or a length that is negative or runs past the buffer's end. Names the record.
 */
public final class WireFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  WireFormatException(String record, String problem) {
    super("cannot decode " + record + " from the wire: " + problem);
  }
}
