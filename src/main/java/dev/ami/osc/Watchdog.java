package dev.ami.osc;

import com.illposed.osc.OSCMessage;
import com.illposed.osc.transport.OSCPortOut;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The avatar's dead-man switch: a small process of its own ({@link DeadManSwitch} starts it from the same jar) that
 * holds the runtime's heartbeats on its standard input. When the pipe closes without a goodbye (the runtime was
 * killed: kill -9, the OOM killer, a crash in native code), it sends every VRChat input as 0 a few times and exits.
 * When the heartbeats stop for longer than the bound while the pipe stays open (the runtime hangs), it sends
 * neutral and keeps watching. A goodbye ({@link #BYE}) ends it quietly: the runtime sent neutral itself.
 *
 * <p>It loads nothing but the JDK and JavaOSC (no DJL, JavaCV or Vert.x class), so it starts in a fraction of a
 * second and stays small; the runtime gives it a small heap.
 *
 * <p>Usage: {@code java -cp ami.jar dev.ami.osc.Watchdog HOST PORT TIMEOUT_MS}.
 */
public final class Watchdog {
  /** A heartbeat byte. */
  static final int BEAT = 'b';
  /** The runtime stops cleanly: exit without a word. */
  static final int BYE = 'q';
  /** How often neutral is sent when the runtime is gone (UDP may lose one). */
  static final int NEUTRAL_REPEATS = 3;
  private static final long REPEAT_GAP_MS = 50;
  private static final long CHECK_MS = 20;

  private final InetSocketAddress target;
  private final long timeoutNanos;
  private volatile long lastBeat = System.nanoTime();
  private volatile boolean closedPipe;
  private volatile boolean bye;
  private volatile boolean done; // neutral sent for a runtime that is gone: nothing left to do

  Watchdog(InetSocketAddress target, long timeoutMs) {
    this.target = target;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: Watchdog HOST PORT TIMEOUT_MS");
      System.exit(2);
    }
    Watchdog w = new Watchdog(new InetSocketAddress(args[0], Integer.parseInt(args[1])), Long.parseLong(args[2]));
    // Ctrl+C reaches the whole process group: the runtime stops gracefully and says goodbye, and the watchdog
    // must outlive that stop in case it hangs. Any other end of this process (SIGTERM) sends neutral first.
    ignoreInterrupt();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!w.bye && !w.done) {
        w.sendNeutral("the watchdog is being stopped");
      }
    }, "watchdog-exit"));
    System.exit(w.watch(System.in));
  }

  /** SIGINT ignored where the JVM lets us (jdk.unsupported's sun.misc.Signal, present on HotSpot). */
  private static void ignoreInterrupt() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
    } catch (Throwable e) {
      System.err.println("ami watchdog: Ctrl+C cannot be ignored here (" + e + ")");
    }
  }

  /** Watches {@code heartbeats} until the runtime says goodbye (0) or is gone (1, after sending neutral). */
  int watch(InputStream heartbeats) throws InterruptedException {
    Thread reader = new Thread(() -> read(heartbeats), "heartbeats");
    reader.setDaemon(true);
    reader.start();
    boolean stalled = false;
    long lastCheck = System.nanoTime();
    while (true) {
      if (bye) {
        return 0;
      }
      if (closedPipe) {
        sendNeutral("the runtime is gone (its pipe closed)");
        done = true;
        return 1;
      }
      long now = System.nanoTime();
      // a check that itself woke late (this process was not scheduled) cannot tell a quiet runtime from its own
      // sleep: the heartbeats may be waiting in the pipe. Give the reader a turn before judging.
      boolean overslept = now - lastCheck > 5 * TimeUnit.MILLISECONDS.toNanos(CHECK_MS);
      lastCheck = now;
      boolean late = !overslept && now - lastBeat > timeoutNanos && !beatsWaiting(heartbeats);
      if (late && !stalled) {
        sendNeutral("no heartbeat for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
      }
      stalled = late;
      Thread.sleep(CHECK_MS);
    }
  }

  private static boolean beatsWaiting(InputStream in) {
    try {
      return in.available() > 0;
    } catch (IOException e) {
      return false;
    }
  }

  private void read(InputStream in) {
    try {
      int b;
      while ((b = in.read()) >= 0) {
        if (b == BYE) {
          bye = true;
          return;
        }
        lastBeat = System.nanoTime();
      }
    } catch (IOException e) {
      // a broken pipe is a closed one
    }
    closedPipe = true;
  }

  private void sendNeutral(String why) {
    OSCPortOut port = null;
    try {
      port = new OSCPortOut(target);
      for (int i = 0; i < NEUTRAL_REPEATS; i++) {
        for (String address : OscAddresses.ALL) {
          Object zero = OscAddresses.isAxis(address) ? (Object) 0f : (Object) 0;
          try {
            port.send(new OSCMessage(address, List.of(zero)));
          } catch (Exception e) {
            System.err.println("ami watchdog: could not send " + address + ": " + e);
          }
        }
        Thread.sleep(REPEAT_GAP_MS);
      }
      // said after the zeros went out: a stderr that blocks must not delay them
      System.err.println("ami watchdog: " + why + "; sent neutral to " + target.getHostString() + ":"
          + target.getPort());
    } catch (IOException e) {
      System.err.println("ami watchdog: could not open a socket to " + target + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (port != null) {
        try {
          port.close();
        } catch (IOException e) {
          // closing a UDP socket does not fail in a way that matters here
        }
      }
    }
  }
}
