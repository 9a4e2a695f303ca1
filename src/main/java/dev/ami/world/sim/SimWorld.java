package dev.ami.world.sim;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import dev.ami.bus.Place;
import dev.ami.bus.WorldRecord;
import dev.ami.capture.FrameConverter;
import dev.ami.capture.FrameStreamer;
import dev.ami.config.SimOptions;
import dev.ami.env.Exploration;
import dev.ami.env.Frame;
import dev.ami.env.FrameSource;
import dev.ami.env.LatestFrame;
import dev.ami.env.SourceStats;
import dev.ami.osc.InputState;
import dev.ami.system.FreePort;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in world as a process of its own would run it: it listens for VRChat's OSC input API on a UDP
 * port, applies the inputs to the avatar at its own frame rate, renders the first-person view and offers the
 * newest frame through {@link FrameSource}, converted like captured video. It can also stream its view with
 * FFmpeg, standing in for OBS.
 */
public final class SimWorld implements FrameSource, Exploration {
  private static final Logger LOG = LoggerFactory.getLogger(SimWorld.class);

  private final SimOptions options;
  private final World world;
  private final Coverage coverage;
  private final LatestFrame latest = new LatestFrame(0);
  private OscInputServer osc;
  private Thread thread;
  private volatile boolean running;
  private volatile World.Pose pose;
  private volatile long renderNanosTotal;
  private long sequence;
  private final Lockstep lockstep; // sim.lockstep: the agent's thread steps the world, one action at a time

  /** @param options with OSC port 0, the world picks a free loopback port */
  public SimWorld(SimOptions options) {
    this.options = options.oscPort() == 0 ? options.withOscPort(FreePort.udp()) : options;
    WorldMap map = WorldMap.named(options.map());
    this.world = options.startSeed() == null ? new World(map) : new World(map, map.start(options.startSeed()));
    this.coverage = new Coverage(map);
    this.pose = world.pose();
    this.lockstep = options.lockstepHz() > 0 ? new Lockstep() : null;
  }

  @Override
  public void start() throws IOException {
    if (lockstep != null) {
      running = true;
      LOG.info("built-in world '{}': {}x{}, lockstep: {} steps of 1/{} s per agent action", options.map(),
          options.width(), options.height(), options.stepsPerAction(), options.fps());
      return;
    }
    osc = new OscInputServer(options.oscPort());
    running = true;
    thread = new Thread(this::run, "ami-world");
    thread.setDaemon(true);
    thread.start();
    LOG.info("built-in world '{}': {}x{} at {} fps, OSC input on udp://127.0.0.1:{}{}", options.map(),
        options.width(), options.height(), options.fps(), options.oscPort(),
        options.streamUrl().isEmpty() ? "" : ", streaming to " + options.streamUrl());
  }

  /** The UDP port the world takes OSC input on. */
  public int oscPort() {
    return options.oscPort();
  }

  /** The inputs the world last received over OSC. */
  public InputState input() {
    return osc == null ? InputState.NEUTRAL : osc.state();
  }

  /** OSC messages received so far. */
  public long oscMessages() {
    return osc == null ? 0 : osc.messages();
  }

  /** Where the avatar is as of the last rendered frame. */
  public World.Pose pose() {
    return pose;
  }

  @Override
  public Frame latest() {
    return latest.latest();
  }

  @Override
  public SourceStats stats() {
    SourceStats s = latest.stats(running, 0, "");
    long frames = Math.max(1, s.frames());
    return new SourceStats(s.frames(), s.dropped(), s.stale(), running, 0, String.format(
        "built-in world: %d OSC messages, pose (%.2f, %.2f, %.0f deg), render %.2f ms/frame", oscMessages(),
        pose.x(), pose.y(), Math.toDegrees(pose.heading()), renderNanosTotal / 1e6 / frames));
  }

  /**
   * In lockstep, what the agent's actions go to: each {@link Actuator#act} steps the world and renders the next
   * frame on the caller's thread (a millisecond or two), so the frame the next tick sees follows from this action
   * alone. The OSC port is not used then. Null when the world runs on its own clock.
   */
  public dev.ami.env.Actuator actuator() {
    Lockstep l = lockstep;
    return l == null ? null : new dev.ami.env.Actuator() {
      @Override
      public void act(dev.ami.env.Action action) {
        l.step(InputState.of(action));
      }

      @Override
      public void neutral() {
        // the world waits for the next action: nothing moves while the agent is paused
      }

      @Override
      public void close() {
      }
    };
  }

  /** The world stepped by the agent's actions: time is the count of steps, not the wall clock. */
  private final class Lockstep {
    private final double dt = 1.0 / options.fps();
    private final long stepNanos = TimeUnit.SECONDS.toNanos(1) / options.fps();
    private final Renderer renderer = new Renderer(options.width(), options.height());
    private final byte[] rgb = new byte[options.width() * options.height() * 3];
    private final Mat picture = new Mat(options.height(), options.width(), CV_8UC3);
    private final FrameConverter converter = new FrameConverter(options.tensorSize(), options.tensorSize());
    private volatile long steps; // read by report() on another thread
    private boolean closed;

    Lockstep() {
      coverage.visit(pose.x(), pose.y(), 0);
      publish(); // the start, for the first tick to see
    }

    synchronized void step(InputState input) {
      if (closed) {
        return;
      }
      for (int i = 0; i < options.stepsPerAction(); i++) {
        world.step(input, dt);
        pose = world.pose();
        coverage.visit(pose.x(), pose.y(), ++steps * stepNanos);
      }
      publish();
    }

    long nanos() {
      return steps * stepNanos;
    }

    private void publish() {
      renderAndPublish(renderer, rgb, picture, converter);
    }

    synchronized void close() {
      closed = true;
      picture.close();
      converter.close();
    }
  }

  @Override
  public WorldRecord report() {
    Lockstep l = lockstep;
    long now = l == null ? System.nanoTime() : l.nanos();
    Coverage.Stalls stalls = coverage.stalls(now);
    return new WorldRecord(options.map(), coverage.visited(), coverage.lastMinute(now), coverage.floorCells(),
        coverage.roomsVisited(), coverage.roomsTotal(), stalls.longestNanos() / 1e6, stalls.longestOpenNanos() / 1e6,
        System.currentTimeMillis());
  }

  @Override
  public Place place() {
    World.Pose p = pose;
    int x = (int) Math.floor(p.x());
    int y = (int) Math.floor(p.y());
    return new Place(x, y, world.map().roomOf(x, y));
  }

  /** Draws the world as it stands and offers the frame to the agent (on whichever thread steps the world). */
  private void renderAndPublish(Renderer renderer, byte[] rgb, Mat picture, FrameConverter converter) {
    long t0 = System.nanoTime();
    renderer.render(world, rgb);
    renderNanosTotal += System.nanoTime() - t0;
    picture.data().put(rgb);
    latest.publish(new Frame(converter.convert(picture), options.tensorSize(), options.tensorSize(),
        ++sequence, System.nanoTime()));
  }

  private void run() {
    long period = TimeUnit.SECONDS.toNanos(1) / options.fps();
    double dt = 1.0 / options.fps();
    Renderer renderer = new Renderer(options.width(), options.height());
    byte[] rgb = new byte[options.width() * options.height() * 3];
    FrameStreamer streamer = openStreamer();
    try (Mat picture = new Mat(options.height(), options.width(), CV_8UC3);
         FrameConverter converter = new FrameConverter(options.tensorSize(), options.tensorSize())) {
      long next = System.nanoTime();
      long started = next;
      long steps = 0;
      long behind = 0;
      while (running) {
        world.step(osc.state(), dt);
        steps++;
        pose = world.pose();
        coverage.visit(pose.x(), pose.y(), System.nanoTime());
        renderAndPublish(renderer, rgb, picture, converter);
        streamer = stream(streamer, picture);
        next += period;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        } else {
          behind -= wait / period; // whole steps the world's time lost against the wall clock
          next = System.nanoTime(); // fell behind: do not try to catch up with a burst
        }
      }
      // what the chance tool assumes is fps steps a second; this says how close the live world came
      double seconds = (System.nanoTime() - started) / 1e9;
      LOG.info("built-in world stopped: {} steps in {} s ({} a second, {} whole steps lost to falling behind)",
          steps, String.format("%.1f", seconds), String.format("%.2f", steps / Math.max(seconds, 1e-9)), behind);
    } catch (RuntimeException e) {
      LOG.error("built-in world stopped", e);
      running = false;
    } finally {
      if (streamer != null) {
        streamer.close();
      }
    }
  }

  private FrameStreamer openStreamer() {
    if (options.streamUrl().isEmpty()) {
      return null;
    }
    try {
      return new FrameStreamer(options.streamUrl(), options.streamFormat(), options.width(), options.height(),
          options.fps());
    } catch (Exception e) {
      LOG.warn("built-in world: cannot stream to {}: {}", options.streamUrl(), e.getMessage());
      return null;
    }
  }

  private FrameStreamer stream(FrameStreamer streamer, Mat picture) {
    if (streamer == null) {
      return null;
    }
    try {
      streamer.write(picture);
      return streamer;
    } catch (Exception e) {
      LOG.warn("built-in world: streaming stopped: {}", e.getMessage());
      streamer.close();
      return null;
    }
  }

  @Override
  public void close() {
    running = false;
    if (lockstep != null) {
      lockstep.close();
    }
    if (thread != null) {
      LockSupport.unpark(thread);
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (osc != null) {
      osc.close();
    }
  }
}
