package dev.ami.data;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** A buffer as a checkpoint keeps it: written to, and read back from, a stream of its own. */
public interface Saved {
  /** Writes the buffer's content without holding its lock for the whole write. */
  void writeTo(DataOutputStream out) throws IOException;

  /**
   * Replaces the buffer's content with what {@link #writeTo} wrote.
   *
   * @throws IOException when the data is not this kind of buffer, or of other sizes
   */
  void readFrom(DataInputStream in) throws IOException;

  /** Starts a saved buffer: its magic number and format version. */
  static void writeHeader(DataOutputStream out, int magic, int format) throws IOException {
    out.writeInt(magic);
    out.writeInt(format);
  }

  /**
   * Reads and checks what {@link #writeHeader} wrote.
   *
   * @throws IOException naming {@code what} when the data is another kind or another format
   */
  static void readHeader(DataInputStream in, int magic, int format, String what) throws IOException {
    if (in.readInt() != magic || in.readInt() != format) {
      throw new IOException("not " + what + " of format " + format);
    }
  }
}
