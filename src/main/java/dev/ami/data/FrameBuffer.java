package dev.ami.data;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * The VAE's data: a bounded store of frames (uint8) where, once full, a new frame replaces a random old one,
 * so the buffer keeps a spread over the agent's whole life rather than only its last minutes. Repeated
 * (stale) frames are not added but counted. Thread-safe: the bus handler adds, the trainer thread reads.
 * Fixed memory off the Java heap: a frame is copied into its slot ({@link DirectRecords}), made once and overwritten
 * from then on, so the buffer makes no garbage and gives the collector nothing to copy or mark.
 */
public final class FrameBuffer implements Saved {
  private static final int MAGIC = 0x414D4946; // "AMIF"
  private static final int FORMAT = 1;
  private final DirectRecords frames;
  private final byte[] scratch; // one frame on its way between the slots and floats or a stream (under the lock)
  private final int frameBytes;
  private final SplittableRandom random;
  private int size;
  private long added;
  private long stale;
  private long refused;

  public FrameBuffer(int capacity, int frameBytes, long seed) {
    this.frames = new DirectRecords(capacity, frameBytes);
    this.scratch = new byte[frameBytes];
    this.frameBytes = frameBytes;
    this.random = new SplittableRandom(seed);
  }

  /**
   * Adds a frame; a stale one is counted and skipped.
   *
   * @throws IllegalArgumentException when the frame is not the model's size (counted, nothing is stored)
   */
  public synchronized void add(byte[] frame, boolean isStale) {
    if (frame.length != frameBytes) {
      refused++;
      throw new IllegalArgumentException("frame of " + frame.length + " bytes refused: the model sees "
          + frameBytes);
    }
    if (isStale) {
      stale++;
      return;
    }
    int slot = size < frames.capacity() ? size++ : random.nextInt(frames.capacity());
    frames.put(slot, 0, frame, 0, frameBytes);
    added++;
  }

  public synchronized int size() {
    return size;
  }

  public int capacity() {
    return frames.capacity();
  }

  /** Frames added since the buffer was made (including those replaced since). */
  public synchronized long added() {
    return added;
  }

  public synchronized long stale() {
    return stale;
  }

  public synchronized long refused() {
    return refused;
  }

  /** Writes the frames at {@code slots} (each in [0, size)) as floats into {@code out}, one after another. */
  public synchronized void read(int[] slots, float[] out) {
    for (int b = 0; b < slots.length; b++) {
      frames.get(slots[b], 0, scratch, 0, frameBytes);
      Pixels.toFloats(scratch, out, b * frameBytes);
    }
  }

  /**
   * Writes the buffer (docs/persistence.md, "buffers/frames.bin"). Each frame is copied out under the lock
   * on its own, so adding never waits for the disk.
   */
  @Override
  public void writeTo(DataOutputStream out) throws IOException {
    int n;
    synchronized (this) {
      n = size;
      Saved.writeHeader(out, MAGIC, FORMAT);
      out.writeInt(frameBytes);
      out.writeInt(n);
      out.writeLong(added);
      out.writeLong(stale);
      out.writeLong(refused);
    }
    byte[] copy = new byte[frameBytes];
    for (int i = 0; i < n; i++) {
      synchronized (this) {
        frames.get(i, 0, copy, 0, frameBytes);
      }
      out.write(copy);
    }
  }

  /**
   * Takes up frames written by {@link #writeTo}; more than fit this buffer's capacity are skipped.
   *
   * @throws IOException when the data is not a frame buffer of this frame size
   */
  @Override
  public synchronized void readFrom(DataInputStream in) throws IOException {
    Saved.readHeader(in, MAGIC, FORMAT, "a frame buffer");
    int savedBytes = in.readInt();
    if (savedBytes != frameBytes) {
      throw new IOException("frames of " + savedBytes + " bytes; the model sees " + frameBytes);
    }
    int n = in.readInt();
    long savedAdded = in.readLong();
    long savedStale = in.readLong();
    long savedRefused = in.readLong();
    size = 0;
    for (int i = 0; i < n; i++) {
      if (i < frames.capacity()) {
        in.readFully(scratch);
        frames.put(i, 0, scratch, 0, frameBytes);
        size++;
      } else {
        in.skipNBytes(frameBytes);
      }
    }
    added = savedAdded;
    stale = savedStale;
    refused = savedRefused;
  }
}
