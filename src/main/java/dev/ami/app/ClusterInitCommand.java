package dev.ami.app;

import dev.ami.cluster.ClusterCerts;
import dev.ami.runtime.ExitCodes;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ami cluster-init}: the cluster's CA and a key and certificate per node (docs/security.md). */
@Command(name = "cluster-init", mixinStandardHelpOptions = true,
    description = "Make the cluster's certificate authority and a certificate per node (PEM), for run --cluster --tls."
        + " Run again on the same folder to add nodes: the CA is reused, existing nodes are never overwritten.")
final class ClusterInitCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the CA and the nodes' folders go")
  Path out;

  @Option(names = "--nodes", required = true, split = ",", paramLabel = "NAME[,NAME...]",
      description = "one folder DIR/NAME per node, its certificate's CN and SAN NAME")
  List<String> nodes;

  @Override
  public Integer call() {
    try {
      ClusterCerts.Outcome o = ClusterCerts.init(out, nodes);
      System.err.println("cluster-init: " + (o.newCa() ? "made the CA " : "reused the CA ") + out.resolve("ca.crt")
          + " (its key " + out.resolve("ca.key") + " makes new members: keep it apart)");
      o.created().forEach(n -> System.err.println("cluster-init: node " + n + ": " + out.resolve(n)
          + " (start it with run --cluster --tls " + out.resolve(n) + ")"));
      o.kept().forEach(n -> System.err.println("cluster-init: node " + n + " exists; left as it is"));
      return 0;
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("ami: cluster-init: " + e.getMessage());
      return ExitCodes.CONFIG;
    } catch (Exception e) {
      System.err.println("ami: cluster-init failed: " + e);
      return 1;
    }
  }
}
