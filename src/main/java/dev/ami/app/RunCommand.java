package dev.ami.app;

import dev.ami.bus.Addresses;
import dev.ami.checkpoint.CheckpointException;
import dev.ami.checkpoint.Resume;
import dev.ami.checkpoint.Scope;
import dev.ami.cluster.ClusterOptions;
import dev.ami.cluster.ClusterVertx;
import dev.ami.config.AmiConfig;
import dev.ami.config.CheckpointOptions;
import dev.ami.config.RunOptions;
import dev.ami.config.SystemOptions;
import dev.ami.runs.RunConfigFile;
import dev.ami.runs.RunFolder;
import dev.ami.runs.RunLog;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.ConfigOptions;
import dev.ami.runtime.ExitCodes;
import dev.ami.runtime.StartFailure;
import dev.ami.runtime.Verticles;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the agent and the trainer until shutdown (console command, SIGTERM or Ctrl+C). */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the agent and trainer (default).")
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin
  ConfigOptions options = new ConfigOptions();

  @Option(names = "--resume", paramLabel = "latest|PATH",
      description = "go on from a checkpoint: the newest valid one of the training runs under system.runs_dir,"
          + " the newest of the run folder PATH, or the checkpoint at PATH")
  String resume;

  @Option(names = "--name", paramLabel = "NAME", description = "appended to this run's folder name")
  String name;

  @Option(names = "--eval", description = "act with the --resume checkpoint's models: no training, versions fixed"
      + " (agent.eval_actions chooses sample or greedy)")
  boolean eval;

  @Option(names = "--cluster", description = "join a cluster of nodes (Hazelcast, TCP-IP join): docs/clustering.md")
  boolean clustered;

  @Option(names = "--role", defaultValue = "all", paramLabel = "agent|trainer|console|all",
      description = "what this node runs in a cluster (default: all)")
  String role;

  @Option(names = "--members", split = ",", paramLabel = "host[,host...]",
      description = "the cluster's other nodes to join (host or host:port); default: the bind address")
  List<String> members;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "interface this node listens on")
  String bind;

  @Option(names = "--port", defaultValue = "5701", description = "Hazelcast's port (the next free one is taken)")
  int port;

  @Option(names = "--bus-port", defaultValue = "0",
      description = "the event bus's TCP port (default: a free one; set it for a firewall)")
  int busPort;

  @Option(names = "--cluster-name", defaultValue = "ami", description = "nodes join only a cluster of this name")
  String clusterName;

  @Option(names = "--tls", paramLabel = "DIR/NAME",
      description = "this node's certificates from cluster-init: the event bus speaks mutual TLS (docs/security.md)")
  java.nio.file.Path tls;

  @Option(names = "--insecure", description = "allow a cluster node bound beyond loopback without --tls")
  boolean insecure;

  @Override
  public Integer call() throws Exception {
    ClusterOptions cluster = null;
    if (clustered) {
      try {
        cluster = ClusterOptions.of(role, members, bind, port, busPort, clusterName).withTls(tls);
        cluster.requireSafe(insecure); // before any socket opens
      } catch (RuntimeException e) { // a wrong option, or a --bind that does not resolve
        System.err.println("ami: " + e.getMessage());
        return ExitCodes.CONFIG;
      }
    } else if (members != null || !role.equals("all") || tls != null) {
      System.err.println("ami: --role, --members and --tls need --cluster");
      return ExitCodes.CONFIG;
    }
    Vertx vertx = cluster == null ? AmiRuntime.newVertx()
        : ClusterVertx.start(cluster, AmiRuntime.vertxOptions()).toCompletionStage().toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
    if (cluster != null) {
      LOG.info("node {} joined the cluster as {} (members {}, bind {})", cluster.node(), cluster.roles(),
          cluster.members(), cluster.bind());
    }
    AmiConfig config = options.loadForRuntime(vertx, eval ? List.of("mode=eval") : List.of());
    if (config == null) {
      return ExitCodes.CONFIG;
    }
    boolean evaluating = RunOptions.from(config).eval();
    if (evaluating && (resume == null || cluster != null)) {
      System.err.println("ami: " + (resume == null ? "run --eval needs --resume latest|PATH: it acts with a"
          + " checkpoint's models" : "run --eval runs on one node, without --cluster"));
      vertx.close();
      return ExitCodes.CONFIG;
    }
    Scope scope = resumeScope(cluster, evaluating);
    if (resume != null && scope == null) {
      System.err.println("ami: a console node has nothing to resume: --resume goes to the agent and trainer nodes");
      vertx.close();
      return ExitCodes.CONFIG;
    }
    RunFolder run;
    try {
      run = RunFolder.create(SystemOptions.from(config).runsDir(), name, Instant.now());
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("ami: cannot make the run folder: " + e.getMessage());
      vertx.close();
      return ExitCodes.CONFIG;
    }
    RunLog.attach(run, config);
    LOG.info("run folder {} ({})", run.dir(), evaluating ? "evaluation" : "training");
    String parent = "";
    if (resume != null) {
      try {
        Resume.Resumed resumed = Resume.prepare(vertx, config, resume, scope);
        parent = resumed.parent() != null ? resumed.parent().dir().toString() : resumed.path().toString();
      } catch (CheckpointException e) {
        LOG.error("cannot resume: {}", e.getMessage());
        vertx.close();
        RunLog.detach();
        return ExitCodes.CONFIG;
      }
    }
    config = config.withLauncherKeys(Map.of("resumed_from", parent));
    try {
      RunConfigFile.write(run, config);
    } catch (IOException e) {
      LOG.error("cannot write {}: {}", run.config(), e.toString());
      vertx.close();
      RunLog.detach();
      return 1;
    }
    vertx.sharedData().getLocalMap(Addresses.APP_MAP).put(Addresses.RUN_FOLDER_KEY, run);
    AmiConfig runConfig = config;
    AmiRuntime runtime;
    try {
      runtime = AmiRuntime.start(vertx, runConfig, Verticles.trainer(), cluster).toCompletionStage()
          .toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("could not start: {}", StartFailure.describe(e));
      vertx.close();
      RunLog.detach();
      return 1;
    }
    Thread hook = new Thread(() -> stopQuietly(runtime, vertx, runConfig), "ami-shutdown");
    Runtime.getRuntime().addShutdownHook(hook); // Ctrl+C and SIGTERM
    LOG.info("running; Ctrl+C or the console's shutdown stops it");
    runtime.terminated().toCompletionStage().toCompletableFuture().join();
    stopQuietly(runtime, vertx, runConfig);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook itself is running: the JVM is on its way out
    }
    RunLog.detach();
    return 0;
  }

  private boolean closed;

  /** Stops once; a second caller (signal hook vs. main thread) waits for the first to finish. */
  private synchronized void stopQuietly(AmiRuntime runtime, Vertx vertx, AmiConfig config) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      long bound = 30 + CheckpointOptions.from(config).shutdownTimeoutS(); // the last checkpoint has its own bound
      AmiRuntime.stopAndClose(runtime, vertx, bound);
      LOG.info("stopped cleanly");
    } catch (Exception e) {
      LOG.warn("shutdown did not finish cleanly: {}", e.toString());
    }
  }

  /**
   * What this node resumes from its own disk: an evaluation run or an agent node the parameters and the agent's
   * state, a trainer node the rest; one node with both, everything. Null for a console node, which has nothing to.
   */
  static Scope resumeScope(ClusterOptions cluster, boolean evaluating) {
    if (evaluating) {
      return Scope.WEIGHTS; // no trainer: no optimizer decoded, no buffers made; every model needed
    }
    if (cluster == null || cluster.agent() && cluster.trainer()) {
      return Scope.ALL;
    }
    if (cluster.agent()) {
      return Scope.AGENT;
    }
    return cluster.trainer() ? Scope.TRAINER : null;
  }
}
