package dev.ami.osc;

import com.illposed.osc.OSCMessage;
import com.illposed.osc.OSCSerializeException;
import com.illposed.osc.transport.OSCPortOut;
import dev.ami.env.Action;
import dev.ami.env.Actuator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the agent's actions to VRChat's OSC input API (or the built-in world, which speaks the same API).
 *
 * <p>The caller only records the desired input state; one sender thread owns the socket and sends what
 * changed, every input again each refresh period (UDP may lose a packet), and smoothed axes when a time
 * constant is set. Neutral is never smoothed. {@link #close()} sends every input back to 0 before the
 * socket closes, and a JVM shutdown hook does the same if the process ends without closing it.
 */
public final class OscActuator implements Actuator {
  private static final Logger LOG = LoggerFactory.getLogger(OscActuator.class);
  private static final long SMOOTHING_STEP_MS = 20;
  private static final long CLOSE_WAIT_MS = 1000;
  private static final long HEARTBEAT_MS = 100;

  private final InetSocketAddress target;
  private final OSCPortOut port;
  private final ScheduledExecutorService sender;
  private final long refreshNanos;
  private final double smoothingNanos;
  private final AtomicReference<InputState> desired = new AtomicReference<>(InputState.NEUTRAL);
  private final AtomicBoolean flushQueued = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread safetyNet;
  private final DeadManSwitch watchdog; // null without one
  private final long staleNanos; // a non-neutral action older than this is dropped for neutral; 0 = never
  private volatile long lastRequestNanos = System.nanoTime();
  private boolean droppedStale; // sender thread: said once per stretch
  // owned by the sender thread
  private final Map<String, Object> lastSent = new HashMap<>();
  private final float[] axes = new float[3];
  private long lastFullNanos;
  private long lastStepNanos;

  private OscActuator(InetSocketAddress target, OSCPortOut port, long refreshMs, double smoothingMs,
                      DeadManSwitch watchdog, long staleActionMs) {
    this.target = target;
    this.port = port;
    this.watchdog = watchdog;
    this.staleNanos = staleActionMs * 1_000_000L;
    this.refreshNanos = refreshMs * 1_000_000L;
    this.smoothingNanos = smoothingMs * 1e6;
    this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ami-osc-" + target.getPort());
      t.setDaemon(true);
      return t;
    });
    long period = smoothingMs > 0 ? SMOOTHING_STEP_MS : refreshMs;
    sender.scheduleAtFixedRate(this::update, period, period, TimeUnit.MILLISECONDS);
    if (watchdog != null) {
      // heartbeats from the thread that owns the socket: if it cannot run, the avatar should not keep walking
      sender.scheduleAtFixedRate(watchdog::beat, 0, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
    }
    if (staleNanos > 0) {
      sender.scheduleAtFixedRate(this::dropStaleAction, HEARTBEAT_MS, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
    }
    this.safetyNet = new Thread(this::close, "ami-osc-neutral-on-exit");
    Runtime.getRuntime().addShutdownHook(safetyNet);
    request(InputState.NEUTRAL); // start from a known state: the avatar may still be moving from a crash
  }

  /**
   * Opens a UDP sender to {@code host:port}.
   *
   * @param refreshMs every input is re-sent at least this often
   * @param smoothingMs time constant of the axes' first-order smoothing; 0 = off
   */
  public static OscActuator open(String host, int port, long refreshMs, double smoothingMs) throws IOException {
    return open(host, port, refreshMs, smoothingMs, 0);
  }

  /**
   * The same with a dead-man switch ({@link DeadManSwitch}) when {@code watchdogTimeoutMs} > 0: a watchdog process
   * sends neutral if this process dies, or if the sender thread's heartbeats stop for that long.
   */
  public static OscActuator open(String host, int port, long refreshMs, double smoothingMs, long watchdogTimeoutMs)
      throws IOException {
    return open(host, port, refreshMs, smoothingMs, watchdogTimeoutMs, 0);
  }

  /**
   * The same; with {@code staleActionMs} > 0, an action the agent has not renewed for that long is dropped for
   * neutral: if the agent stops deciding (a hung tick) while this process lives, the avatar does not walk on.
   */
  public static OscActuator open(String host, int port, long refreshMs, double smoothingMs, long watchdogTimeoutMs,
                                 long staleActionMs) throws IOException {
    InetSocketAddress target = new InetSocketAddress(host, port);
    if (target.isUnresolved()) {
      throw new IOException("OSC host '" + host + "' cannot be resolved");
    }
    DeadManSwitch watchdog = watchdogTimeoutMs > 0 ? DeadManSwitch.start(target, watchdogTimeoutMs) : null;
    try {
      return new OscActuator(target, new OSCPortOut(target), refreshMs, smoothingMs, watchdog, staleActionMs);
    } catch (IOException | RuntimeException e) {
      if (watchdog != null) {
        watchdog.close();
      }
      throw e;
    }
  }

  /** The watchdog process's id, or -1 without a dead-man switch. */
  public long watchdogPid() {
    return watchdog == null ? -1 : watchdog.pid();
  }

  @Override
  public void act(Action action) {
    request(InputState.of(action));
  }

  @Override
  public void neutral() {
    request(InputState.NEUTRAL);
  }

  /** Messages put on the wire so far. */
  public long sentMessages() {
    return sent.get();
  }

  /** Sends that failed (e.g. nothing listening yet); they are retried. */
  public long failedSends() {
    return failures.get();
  }

  public InetSocketAddress target() {
    return target;
  }

  private void request(InputState state) {
    if (closed.get()) {
      return;
    }
    lastRequestNanos = System.nanoTime();
    desired.set(state);
    if (flushQueued.compareAndSet(false, true)) {
      try {
        sender.execute(() -> {
          flushQueued.set(false);
          update();
        });
      } catch (RejectedExecutionException closing) {
        // close() is sending neutral
      }
    }
  }

  /** On the sender thread: an action nobody renewed for the stale bound goes back to neutral. */
  private void dropStaleAction() {
    boolean stale = System.nanoTime() - lastRequestNanos > staleNanos && !desired.get().isNeutral();
    if (stale) {
      desired.set(InputState.NEUTRAL);
      update();
      if (!droppedStale) {
        LOG.warn("no action from the agent for {} ms: OSC inputs set neutral until it acts again",
            staleNanos / 1_000_000);
      }
    }
    droppedStale = stale || (droppedStale && desired.get().isNeutral());
  }

  /**
   * Runs on the sender thread: moves the axes toward the desired state and sends what changed. After close it
   * sends nothing: a caller that checked {@code closed} just before the close may still have set a desired
   * state, and only the close's zeros may reach the wire after it.
   */
  private void update() {
    if (closed.get()) {
      return;
    }
    long now = System.nanoTime();
    InputState want = desired.get();
    step(want, now);
    boolean full = now - lastFullNanos >= refreshNanos;
    if (full) {
      lastFullNanos = now;
    }
    sendState(new InputState(axes[0], axes[1], axes[2], want.jump(), want.run()), full);
  }

  private void step(InputState want, long now) {
    float[] goal = {want.vertical(), want.horizontal(), want.lookHorizontal()};
    double dt = lastStepNanos == 0 ? 0 : now - lastStepNanos;
    lastStepNanos = now;
    if (smoothingNanos <= 0 || want.isNeutral()) {
      System.arraycopy(goal, 0, axes, 0, 3);
      return;
    }
    double alpha = 1 - Math.exp(-dt / smoothingNanos);
    for (int i = 0; i < 3; i++) {
      float next = (float) (axes[i] + (goal[i] - axes[i]) * alpha);
      axes[i] = Math.abs(goal[i] - next) < 1e-3f ? goal[i] : Math.max(-1f, Math.min(1f, next));
    }
  }

  private void sendState(InputState state, boolean all) {
    for (String address : OscAddresses.ALL) {
      Object value = state.valueOf(address);
      if (all || !value.equals(lastSent.get(address))) {
        send(address, value);
      }
    }
  }

  private void send(String address, Object value) {
    try {
      port.send(new OSCMessage(address, List.of(value)));
      lastSent.put(address, value);
      sent.incrementAndGet();
    } catch (IOException | OSCSerializeException | RuntimeException e) {
      lastSent.remove(address); // retried on the next update
      long n = failures.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        LOG.warn("OSC send to {} failed ({} so far): {}", target, n, e.toString());
      }
    }
  }

  /**
   * Sends every input as 0, waits (bounded) until it is on the wire, then closes the socket. The zeros go out
   * on the sender thread, which owns the socket; if it is too starved to send them in time, it is stopped and
   * the closing thread sends them itself, so neutral never depends on a busy machine.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    desired.set(InputState.NEUTRAL);
    boolean confirmed = false;
    try {
      Future<Boolean> zeros = sender.submit(this::sendZeros);
      confirmed = zeros.get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("OSC sender to {} did not send neutral within {} ms; sending it from the closing thread", target,
          CLOSE_WAIT_MS);
    } finally {
      boolean stopped = stop(sender);
      if (!confirmed && stopped) {
        confirmed = sendZeros(); // the sender is gone: the socket is this thread's now
      } else if (!confirmed) {
        LOG.warn("could not confirm neutral OSC inputs to {}: the sender did not stop", target);
      }
      closePort();
      if (watchdog != null) {
        if (confirmed) {
          watchdog.close(); // neutral is on the wire: the watchdog goes quietly
        } else {
          watchdog.abandon(); // no goodbye: the watchdog sends neutral itself
        }
      }
      removeSafetyNet();
    }
  }

  /** Sends every input as 0; true when all five went out without a failure. */
  private boolean sendZeros() {
    long before = failures.get();
    Arrays.fill(axes, 0f);
    sendState(InputState.NEUTRAL, true);
    return failures.get() == before;
  }

  private void closePort() {
    try {
      port.close();
    } catch (IOException e) {
      LOG.debug("closing OSC port", e);
    }
  }

  private void removeSafetyNet() {
    if (Thread.currentThread() == safetyNet) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(safetyNet);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway and finds the actuator closed
    }
  }

  /**
   * Stops the sender without interrupting it (an interrupted datagram send closes the channel). Queued
   * updates still run and send nothing, since the actuator is closed; periodic ones are cancelled.
   */
  private static boolean stop(ExecutorService executor) {
    executor.shutdown();
    try {
      return executor.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
