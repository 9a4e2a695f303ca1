package dev.ami.data;

import dev.ami.bus.StepRecord;
import dev.ami.model.ActionHeads;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PPO's on-policy data: steps in order, taken a rollout at a time. A rollout of n steps needs n + 1, the
 * last one's value bootstrapping the return; after the update the n used steps are gone and the rest stay.
 * Steps that arrive while an update runs were chosen by the same policy the rollout was, so they are kept,
 * with the log-probabilities they were acted with. Memory is bounded: beyond {@code limit} the oldest go.
 *
 * <p>A ring of slots made once: what PPO reads of a step is copied in (the frame off the Java heap, {@link
 * DirectRecords}) and the record is not kept. Records kept for the ten-odd seconds a rollout takes to fill survived
 * several young collections each, and G1 copied every one of them at every pause (docs/decisions/
 * 0005). The trainer copies its rollout out ({@link #copyOldest}) into a {@link Rollout} it reuses.
 */
public final class Rollouts implements Saved {
  private static final int MAGIC = 0x414D4952; // "AMIR"
  private static final int FORMAT = 1;
  /** The largest frame a step can hold: RGB at model.input_size's upper bound. */
  static final int MAX_FRAME_BYTES = 3 * 256 * 256;

  /** One rollout as the trainer reads it: n + 1 steps in arrays made once and refilled by each copy. */
  public static final class Rollout {
    private final int steps;
    private final int frameBytes;
    private final long[] ticks;
    private final boolean[] chainStart;
    private final float[] values;
    private final float[] rewards;
    private final byte[] frames;
    private final int[] actions;
    private final float[] logp;

    /** Room for {@code steps} steps (n + 1 for a rollout of n) of {@code frameBytes}-byte frames. */
    public Rollout(int steps, int frameBytes) {
      this.steps = steps;
      this.frameBytes = frameBytes;
      this.ticks = new long[steps];
      this.chainStart = new boolean[steps];
      this.values = new float[steps];
      this.rewards = new float[steps];
      this.frames = new byte[steps * frameBytes];
      this.actions = new int[steps * ActionHeads.COUNT];
      this.logp = new float[steps * ActionHeads.COUNT];
    }

    public int steps() {
      return steps;
    }

    public long tick(int i) {
      return ticks[i];
    }

    public boolean chainStart(int i) {
      return chainStart[i];
    }

    public float value(int i) {
      return values[i];
    }

    public float reward(int i) {
      return rewards[i];
    }

    /** Step {@code i}'s frame as floats in [0,1], written into {@code out} from {@code at}. */
    public void frame(int i, float[] out, int at) {
      Pixels.toFloats(frames, i * frameBytes, frameBytes, out, at);
    }

    /** Step {@code i}'s choice in each action part, copied into {@code out} from {@code at}. */
    public void action(int i, int[] out, int at) {
      System.arraycopy(actions, i * ActionHeads.COUNT, out, at, ActionHeads.COUNT);
    }

    /** The log-probabilities step {@code i} was acted with, one per part, into {@code out} from {@code at}. */
    public void logp(int i, float[] out, int at) {
      System.arraycopy(logp, i * ActionHeads.COUNT, out, at, ActionHeads.COUNT);
    }
  }

  private final int limit;
  private final long[] ticks;
  private final int[] sides;
  private final boolean[] stale;
  private final boolean[] chainStart;
  private final float[] values;
  private final float[] rewards;
  private final long[] wallMillis;
  private final int[] actions;
  private final float[] logp;
  private DirectRecords frames; // made with the first step, whose frame size every later one must have
  private int head; // oldest
  private int size;
  private long added;
  private long dropped;

  public Rollouts(int limit) {
    this.limit = limit;
    this.ticks = new long[limit];
    this.sides = new int[limit];
    this.stale = new boolean[limit];
    this.chainStart = new boolean[limit];
    this.values = new float[limit];
    this.rewards = new float[limit];
    this.wallMillis = new long[limit];
    this.actions = new int[limit * ActionHeads.COUNT];
    this.logp = new float[limit * ActionHeads.COUNT];
  }

  /**
   * Copies the step in (PPO never reads the forward model's hidden state or the model versions: neither is kept).
   *
   * @throws IllegalArgumentException when it has no log-probabilities or reward, or a frame of another size
   *     than the steps before it
   */
  public synchronized void add(StepRecord step) {
    if (step.logp() == null || !Float.isFinite(step.reward())) {
      throw new IllegalArgumentException("step " + step.tick() + " has no log-probabilities or reward: "
          + "PPO needs the acting policy's");
    }
    if (step.action().length != ActionHeads.COUNT || step.logp().length != ActionHeads.COUNT) {
      throw new IllegalArgumentException("step " + step.tick() + " has " + step.action().length + " actions and "
          + step.logp().length + " log-probabilities; PPO reads " + ActionHeads.COUNT);
    }
    checkFrame(step.tick(), step.frame().length);
    added++;
    if (limit == 0) {
      dropped++;
      return;
    }
    if (size == limit) {
      head = (head + 1) % limit;
      size--;
      dropped++;
    }
    int slot = (head + size++) % limit;
    ticks[slot] = step.tick();
    sides[slot] = step.side();
    stale[slot] = step.stale();
    chainStart[slot] = step.chainStart();
    values[slot] = step.value();
    rewards[slot] = step.reward();
    wallMillis[slot] = step.wallMillis();
    System.arraycopy(step.action(), 0, actions, slot * ActionHeads.COUNT, ActionHeads.COUNT);
    System.arraycopy(step.logp(), 0, logp, slot * ActionHeads.COUNT, ActionHeads.COUNT);
    frames.put(slot, 0, step.frame(), 0, step.frame().length);
  }

  private void checkFrame(long tick, int bytes) {
    if (frames == null) {
      if (bytes < 1 || bytes > MAX_FRAME_BYTES) {
        throw new IllegalArgumentException("step " + tick + " has a frame of " + bytes + " bytes; between 1 and "
            + MAX_FRAME_BYTES);
      }
      frames = new DirectRecords(limit, bytes);
    } else if (bytes != frames.recordBytes()) {
      throw new IllegalArgumentException("step " + tick + " has a frame of " + bytes + " bytes; the steps before "
          + "it had " + frames.recordBytes());
    }
  }

  /** Most steps kept; beyond it the oldest are dropped. */
  public int capacity() {
    return limit;
  }

  public synchronized int size() {
    return size;
  }

  public synchronized long added() {
    return added;
  }

  /** Steps that fell out unused because the buffer was over its limit. */
  public synchronized long dropped() {
    return dropped;
  }

  /**
   * Copies the oldest {@code out.steps()} steps (n to learn from, one to bootstrap) into {@code out}; false when
   * fewer are waiting. The steps stay until {@link #consumeThrough}.
   */
  public synchronized boolean copyOldest(Rollout out) {
    if (size < out.steps || out.steps == 0) {
      return false;
    }
    if (frames.recordBytes() != out.frameBytes) {
      throw new IllegalArgumentException("a rollout of " + out.frameBytes + "-byte frames from steps of "
          + frames.recordBytes());
    }
    for (int i = 0; i < out.steps; i++) {
      int s = slot(i);
      out.ticks[i] = ticks[s];
      out.chainStart[i] = chainStart[s];
      out.values[i] = values[s];
      out.rewards[i] = rewards[s];
      frames.get(s, 0, out.frames, i * out.frameBytes, out.frameBytes);
      System.arraycopy(actions, s * ActionHeads.COUNT, out.actions, i * ActionHeads.COUNT, ActionHeads.COUNT);
      System.arraycopy(logp, s * ActionHeads.COUNT, out.logp, i * ActionHeads.COUNT, ActionHeads.COUNT);
    }
    return true;
  }

  /**
   * The oldest n + 1 steps as records when there are that many, else null: for reading a buffer whole (tests,
   * tools); the trainer copies into a {@link Rollout} instead, which makes no garbage.
   */
  public synchronized List<StepRecord> peek(int n) {
    if (size < n + 1) {
      return null;
    }
    List<StepRecord> out = new ArrayList<>(n + 1);
    for (int i = 0; i <= n; i++) {
      out.add(record(slot(i)));
    }
    return out;
  }

  private StepRecord record(int s) {
    byte[] frame = new byte[frames.recordBytes()];
    frames.get(s, 0, frame, 0, frame.length);
    int[] action = new int[ActionHeads.COUNT];
    float[] lp = new float[ActionHeads.COUNT];
    System.arraycopy(actions, s * ActionHeads.COUNT, action, 0, ActionHeads.COUNT);
    System.arraycopy(logp, s * ActionHeads.COUNT, lp, 0, ActionHeads.COUNT);
    return new StepRecord(ticks[s], frame, sides[s], action, lp, values[s], rewards[s], null, stale[s],
        chainStart[s], Map.of(), wallMillis[s]);
  }

  /**
   * Drops the steps an update has used: every step up to and including tick {@code lastUsed}. By tick, not by
   * count: steps that fell out over the limit while the update ran must not make it take unused ones.
   */
  public synchronized void consumeThrough(long lastUsed) {
    while (size > 0 && ticks[head] <= lastUsed) {
      head = (head + 1) % limit;
      size--;
    }
  }

  /**
   * Keeps only the newest {@code keep} steps (the rest are counted as dropped): when PPO falls behind, the next
   * rollout is the freshest one, not the most off-policy.
   */
  public synchronized void keepNewest(int keep) {
    while (size > keep) {
      head = (head + 1) % limit;
      size--;
      dropped++;
    }
  }

  private int slot(int logical) {
    return (head + logical) % limit;
  }

  /**
   * Writes the waiting steps, oldest first (docs/persistence.md, "buffers/rollouts.bin"). They are copied out
   * under the lock (a few MB at most, once a checkpoint) and written after it, so adding never waits for the disk.
   */
  @Override
  public void writeTo(DataOutputStream out) throws IOException {
    List<StepRecord> copy;
    long savedAdded;
    long savedDropped;
    synchronized (this) {
      copy = peek(size - 1);
      savedAdded = added;
      savedDropped = dropped;
    }
    if (copy == null) {
      copy = List.of();
    }
    Saved.writeHeader(out, MAGIC, FORMAT);
    out.writeInt(copy.size());
    out.writeLong(savedAdded);
    out.writeLong(savedDropped);
    for (StepRecord s : copy) {
      out.writeLong(s.tick());
      out.writeInt(s.side());
      out.writeBoolean(s.stale());
      out.writeBoolean(s.chainStart());
      out.writeFloat(s.value());
      out.writeFloat(s.reward());
      out.writeLong(s.wallMillis());
      out.writeInt(s.frame().length);
      out.write(s.frame());
      for (int h = 0; h < ActionHeads.COUNT; h++) {
        out.writeInt(s.action()[h]);
        out.writeFloat(s.logp()[h]);
      }
    }
  }

  /**
   * Takes up steps written by {@link #writeTo}, replacing what was waiting (PPO needs no hidden states).
   *
   * @throws IOException when the data is not a rollout buffer
   */
  @Override
  public synchronized void readFrom(DataInputStream in) throws IOException {
    Saved.readHeader(in, MAGIC, FORMAT, "a rollout buffer");
    int n = in.readInt();
    if (n < 0 || n > limit) { // what the reader allocates is bounded by this buffer, never by the data
      throw new IOException("a rollout buffer of " + n + " steps; this one holds at most " + limit);
    }
    long savedAdded = in.readLong();
    long savedDropped = in.readLong();
    head = 0;
    size = 0;
    for (int i = 0; i < n; i++) {
      long tick = in.readLong();
      int side = in.readInt();
      boolean isStale = in.readBoolean();
      boolean isStart = in.readBoolean();
      float value = in.readFloat();
      float reward = in.readFloat();
      long wall = in.readLong();
      int frameBytes = in.readInt();
      if (frameBytes < 0 || frameBytes > MAX_FRAME_BYTES) {
        throw new IOException("step " + tick + " has a frame of " + frameBytes + " bytes; at most " + MAX_FRAME_BYTES
            + " (3 x 256 x 256, model.input_size at its largest)");
      }
      byte[] frame = new byte[frameBytes];
      in.readFully(frame);
      int[] action = new int[ActionHeads.COUNT];
      float[] lp = new float[ActionHeads.COUNT];
      for (int h = 0; h < ActionHeads.COUNT; h++) {
        action[h] = in.readInt();
        lp[h] = in.readFloat();
      }
      try {
        add(new StepRecord(tick, frame, side, action, lp, value, reward, null, isStale, isStart, Map.of(), wall));
      } catch (IllegalArgumentException e) {
        throw new IOException("rollout step " + tick + ": " + e.getMessage(), e);
      }
    }
    added = savedAdded;
    dropped = savedDropped;
  }
}
