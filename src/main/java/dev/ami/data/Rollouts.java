package dev.ami.data;

import dev.ami.bus.StepRecord;
import dev.ami.model.ActionHeads;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * PPO's on-policy data: steps in order, taken a rollout at a time. A rollout of n steps needs n + 1, the
 * last one's value bootstrapping the return; after the update the n used steps are gone and the rest stay.
 * Steps that arrive while an update runs were chosen by the same policy the rollout was, so they are kept,
 * with the log-probabilities they were acted with. Memory is bounded: beyond {@code limit} the oldest go.
 */
public final class Rollouts implements Saved {
  private static final int MAGIC = 0x414D4952; // "AMIR"
  private static final int FORMAT = 1;
  /** The largest frame a step can hold: RGB at model.input_size's upper bound. */
  static final int MAX_FRAME_BYTES = 3 * 256 * 256;

  private final Deque<StepRecord> steps = new ArrayDeque<>();
  private final int limit;
  private long added;
  private long dropped;

  public Rollouts(int limit) {
    this.limit = limit;
  }

  public synchronized void add(StepRecord step) {
    if (step.logp() == null || !Float.isFinite(step.reward())) {
      throw new IllegalArgumentException("step " + step.tick() + " has no log-probabilities or reward: "
          + "PPO needs the acting policy's");
    }
    // PPO never reads the forward model's hidden state: keeping it would make every young pause copy 16 kB
    // more per waiting step at the default sizes (docs/benchmarks.md, "The tick's worst case")
    steps.addLast(step.hidden() == null ? step : new StepRecord(step.tick(), step.frame(), step.side(),
        step.action(), step.logp(), step.value(), step.reward(), null, step.stale(), step.chainStart(),
        step.versions(), step.wallMillis()));
    added++;
    while (steps.size() > limit) {
      steps.removeFirst();
      dropped++;
    }
  }

  public synchronized int size() {
    return steps.size();
  }

  public synchronized long added() {
    return added;
  }

  /** Steps that fell out unused because the buffer was over its limit. */
  public synchronized long dropped() {
    return dropped;
  }

  /** The oldest n + 1 steps when there are that many (n to learn from, one to bootstrap), else null. */
  public synchronized List<StepRecord> peek(int n) {
    if (steps.size() < n + 1) {
      return null;
    }
    List<StepRecord> out = new ArrayList<>(n + 1);
    for (StepRecord s : steps) {
      out.add(s);
      if (out.size() == n + 1) {
        break;
      }
    }
    return out;
  }

  /**
   * Drops the steps an update has used: every step up to and including tick {@code lastUsed}. By tick, not by
   * count: steps that fell out over the limit while the update ran must not make it take unused ones.
   */
  public synchronized void consumeThrough(long lastUsed) {
    while (!steps.isEmpty() && steps.peekFirst().tick() <= lastUsed) {
      steps.removeFirst();
    }
  }

  /**
   * Keeps only the newest {@code keep} steps (the rest are counted as dropped): when PPO falls behind, the next
   * rollout is the freshest one, not the most off-policy.
   */
  public synchronized void keepNewest(int keep) {
    while (steps.size() > keep) {
      steps.removeFirst();
      dropped++;
    }
  }

  /** Writes the waiting steps, oldest first (docs/persistence.md, "buffers/rollouts.bin"). */
  @Override
  public void writeTo(DataOutputStream out) throws IOException {
    List<StepRecord> copy;
    long savedAdded;
    long savedDropped;
    synchronized (this) {
      copy = List.copyOf(steps); // records are immutable: the copy is cheap and consistent
      savedAdded = added;
      savedDropped = dropped;
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
    steps.clear();
    for (int i = 0; i < n; i++) {
      long tick = in.readLong();
      int side = in.readInt();
      boolean stale = in.readBoolean();
      boolean chainStart = in.readBoolean();
      float value = in.readFloat();
      float reward = in.readFloat();
      long wallMillis = in.readLong();
      int frameBytes = in.readInt();
      if (frameBytes < 0 || frameBytes > MAX_FRAME_BYTES) {
        throw new IOException("step " + tick + " has a frame of " + frameBytes + " bytes; at most " + MAX_FRAME_BYTES
            + " (3 x 256 x 256, model.input_size at its largest)");
      }
      byte[] frame = new byte[frameBytes];
      in.readFully(frame);
      int[] action = new int[ActionHeads.COUNT];
      float[] logp = new float[ActionHeads.COUNT];
      for (int h = 0; h < ActionHeads.COUNT; h++) {
        action[h] = in.readInt();
        logp[h] = in.readFloat();
      }
      add(new StepRecord(tick, frame, side, action, logp, value, reward, null, stale, chainStart, Map.of(),
          wallMillis));
    }
    added = savedAdded;
    dropped = savedDropped;
  }
}
