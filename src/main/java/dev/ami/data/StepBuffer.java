package dev.ami.data;

import dev.ami.bus.StepRecord;
import dev.ami.model.ActionHeads;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * The forward model's data: the newest steps in order (FIFO), from which contiguous windows are drawn.
 * A window never reaches across a chain start (a pause or a blind tick) and never has a stale frame where a
 * prediction target would be: a repeated picture after a move is a wrong label. Thread-safe.
 *
 * <p>Fixed memory: a step is copied into its slot, made once and overwritten from then on; frames and hidden
 * states live off the Java heap ({@link DirectRecords}). Keeping the step records instead would turn every step into
 * old-generation garbage minutes later (about 20 MB a minute at 10 Hz), and G1 answers that by growing the heap
 * after each marking cycle (docs/decisions/0005); slots on the heap still had G1
 * promote and mark them while the buffer filled (the same record).
 */
public final class StepBuffer implements Saved {
  /** One window, copied into arrays its owner reuses from window to window. */
  public static final class Window {
    private final int length;
    private final int frameBytes;
    private final byte[] frames;
    private final int[][] actions;
    private final float[] hidden;
    private final long[] ticks;

    public Window(int length, int frameBytes, int hiddenSize) {
      this.length = length;
      this.frameBytes = frameBytes;
      this.frames = new byte[length * frameBytes];
      this.actions = new int[length][ActionHeads.COUNT];
      this.hidden = new float[hiddenSize];
      this.ticks = new long[length];
    }

    public int length() {
      return length;
    }

    public long tick(int i) {
      return ticks[i];
    }

    /** Step {@code i}'s frame as floats in [0,1], written into {@code out} from {@code at}. */
    public void frame(int i, float[] out, int at) {
      Pixels.toFloats(frames, i * frameBytes, frameBytes, out, at);
    }

    /** Step {@code i}'s choice in each action part (the window's own array: read, do not keep). */
    public int[] action(int i) {
      return actions[i];
    }

    /** The forward model's hidden state going into the first step (the window's own array). */
    public float[] hidden() {
      return hidden;
    }
  }

  private static final int MAGIC = 0x414D4953; // "AMIS"
  private static final int FORMAT = 1;

  private final int frameBytes;
  private final int hiddenSize;
  private final long[] ticks;
  private final boolean[] stale;
  private final boolean[] chainStart;
  private final DirectRecords records; // per slot: the hidden state's floats, then the frame's bytes
  private final int frameAt;
  private final int[] actions; // ActionHeads.COUNT per slot
  private final byte[] frameScratch; // under the lock
  private final float[] hiddenScratch;
  private int head; // oldest
  private int size;
  private long added;
  private long rejectedWindows;

  /** Frame and hidden-state slots are made as the buffer first fills, so an empty buffer costs little. */
  public StepBuffer(int capacity, int frameBytes, int hiddenSize) {
    this.frameBytes = frameBytes;
    this.hiddenSize = hiddenSize;
    this.ticks = new long[capacity];
    this.stale = new boolean[capacity];
    this.chainStart = new boolean[capacity];
    this.frameAt = hiddenSize * Float.BYTES;
    this.records = new DirectRecords(capacity, frameAt + frameBytes);
    this.actions = new int[capacity * ActionHeads.COUNT];
    this.frameScratch = new byte[frameBytes];
    this.hiddenScratch = new float[hiddenSize];
  }

  /**
   * Copies the step in; the record itself is not kept.
   *
   * @throws IllegalArgumentException when its frame, action or hidden state is not this buffer's size
   */
  public synchronized void add(StepRecord step) {
    if (step.frame().length != frameBytes || step.action().length != ActionHeads.COUNT || step.hidden() == null
        || step.hidden().length != hiddenSize) {
      throw new IllegalArgumentException("step " + step.tick() + " does not fit a buffer of " + frameBytes
          + "-byte frames and " + hiddenSize + "-float hidden states");
    }
    int slot = nextSlot();
    ticks[slot] = step.tick();
    stale[slot] = step.stale();
    chainStart[slot] = step.chainStart();
    records.putFloats(slot, 0, step.hidden());
    records.put(slot, frameAt, step.frame(), 0, frameBytes);
    System.arraycopy(step.action(), 0, actions, slot * ActionHeads.COUNT, ActionHeads.COUNT);
    added++;
  }

  /** The slot the next step goes into (the oldest once full). */
  private int nextSlot() {
    int slot;
    if (size < ticks.length) {
      slot = (head + size++) % ticks.length;
    } else {
      slot = head;
      head = (head + 1) % ticks.length;
    }
    return slot;
  }

  /**
   * Writes the steps oldest first (docs/persistence.md, "buffers/steps.bin"), each copied out under the lock
   * on its own, so adding never waits for the disk. Steps added meanwhile can make the saved sequence skip or
   * repeat a tick; windows are drawn only over consecutive ticks, so that costs a window, never a wrong one.
   */
  @Override
  public void writeTo(DataOutputStream out) throws IOException {
    int n;
    synchronized (this) {
      n = size;
      Saved.writeHeader(out, MAGIC, FORMAT);
      out.writeInt(frameBytes);
      out.writeInt(hiddenSize);
      out.writeInt(n);
      out.writeLong(added);
      out.writeLong(rejectedWindows);
    }
    byte[] frame = new byte[frameBytes];
    int[] action = new int[ActionHeads.COUNT];
    float[] state = new float[hiddenSize];
    for (int i = 0; i < n; i++) {
      long tick;
      boolean isStale;
      boolean isStart;
      synchronized (this) {
        int s = slot(i); // steps added meanwhile may shift the ring: a skipped or repeated tick only breaks a window
        tick = ticks[s];
        isStale = stale[s];
        isStart = chainStart[s];
        records.get(s, frameAt, frame, 0, frameBytes);
        System.arraycopy(actions, s * ActionHeads.COUNT, action, 0, action.length);
        records.getFloats(s, 0, state);
      }
      out.writeLong(tick);
      out.writeBoolean(isStale);
      out.writeBoolean(isStart);
      out.write(frame);
      for (int a : action) {
        out.writeInt(a);
      }
      for (float h : state) {
        out.writeFloat(h);
      }
    }
  }

  /**
   * Takes up steps written by {@link #writeTo}, replacing what the buffer held; beyond its capacity the oldest go.
   *
   * @throws IOException when the data is not a step buffer of these sizes
   */
  @Override
  public synchronized void readFrom(DataInputStream in) throws IOException {
    Saved.readHeader(in, MAGIC, FORMAT, "a step buffer");
    int savedBytes = in.readInt();
    int savedHidden = in.readInt();
    if (savedBytes != frameBytes || savedHidden != hiddenSize) {
      throw new IOException("steps with " + savedBytes + "-byte frames and " + savedHidden + "-float hidden states;"
          + " the models need " + frameBytes + " and " + hiddenSize);
    }
    int n = in.readInt();
    long savedAdded = in.readLong();
    long savedRejected = in.readLong();
    head = 0;
    size = 0;
    for (int i = 0; i < n; i++) {
      int slot = nextSlot();
      ticks[slot] = in.readLong();
      stale[slot] = in.readBoolean();
      chainStart[slot] = in.readBoolean();
      in.readFully(frameScratch);
      records.put(slot, frameAt, frameScratch, 0, frameBytes);
      for (int a = 0; a < ActionHeads.COUNT; a++) {
        actions[slot * ActionHeads.COUNT + a] = in.readInt();
      }
      for (int h = 0; h < hiddenSize; h++) {
        hiddenScratch[h] = in.readFloat();
      }
      records.putFloats(slot, 0, hiddenScratch);
    }
    added = savedAdded;
    rejectedWindows = savedRejected;
  }

  public synchronized int size() {
    return size;
  }

  public int capacity() {
    return ticks.length;
  }

  public int frameBytes() {
    return frameBytes;
  }

  public int hiddenSize() {
    return hiddenSize;
  }

  public synchronized long added() {
    return added;
  }

  /** Windows drawn but thrown back because they crossed a chain start or had a stale target. */
  public synchronized long rejectedWindows() {
    return rejectedWindows;
  }

  /**
   * Copies a random window of {@code out.length()} contiguous steps into {@code out}; false when
   * {@code tries} draws found none that is usable (too few steps, or breaks everywhere). The copy is raw
   * bytes, so the lock is held for microseconds.
   */
  public synchronized boolean window(SplittableRandom random, int tries, Window out) {
    int length = out.length();
    if (out.frameBytes != frameBytes || out.hidden.length != hiddenSize) {
      throw new IllegalArgumentException("a window for " + out.frameBytes + "-byte frames and "
          + out.hidden.length + "-float hidden states does not fit this buffer");
    }
    if (size < length) {
      return false;
    }
    for (int attempt = 0; attempt < tries; attempt++) {
      int start = random.nextInt(size - length + 1);
      if (usable(start, length)) {
        for (int i = 0; i < length; i++) {
          int slot = slot(start + i);
          out.ticks[i] = ticks[slot];
          records.get(slot, frameAt, out.frames, i * frameBytes, frameBytes);
          System.arraycopy(actions, slot * ActionHeads.COUNT, out.actions[i], 0, ActionHeads.COUNT);
        }
        records.getFloats(slot(start), 0, out.hidden);
        return true;
      }
      rejectedWindows++;
    }
    return false;
  }

  private boolean usable(int start, int length) {
    long firstTick = ticks[slot(start)];
    for (int i = 1; i < length; i++) {
      int s = slot(start + i);
      if (chainStart[s] || stale[s] || ticks[s] != firstTick + i) {
        return false;
      }
    }
    return true;
  }

  private int slot(int logical) {
    return (head + logical) % ticks.length;
  }
}
