package dev.ami.cluster;

import io.vertx.core.buffer.Buffer;
import java.io.InputStream;

/** Reads a Vert.x buffer as a stream, without copying it into an array of its own first. */
final class BufferInputStream extends InputStream {
  private final Buffer buffer;
  private int at;

  BufferInputStream(Buffer buffer) {
    this.buffer = buffer;
  }

  @Override
  public int read() {
    return at < buffer.length() ? buffer.getUnsignedByte(at++) : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    int n = Math.min(len, buffer.length() - at);
    if (n <= 0) {
      return -1;
    }
    buffer.getBytes(at, at + n, b, off);
    at += n;
    return n;
  }

  @Override
  public int available() {
    return buffer.length() - at;
  }
}
