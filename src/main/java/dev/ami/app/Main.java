package dev.ami.app;

import dev.ami.bench.BenchCommand;
import dev.ami.bench.BenchExploreCommand;
import dev.ami.bench.BenchIoCommand;
import dev.ami.bench.BenchTrainCommand;
import dev.ami.bench.SoakCommand;
import dev.ami.runtime.ExitCodes;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code java -jar ami.jar [run|bench|...] [options] [key.path=value ...]}; no subcommand means run. */
@Command(name = "ami", mixinStandardHelpOptions = true, version = "ami-runtime 0.1.0",
    description = "Runs a curiosity-driven agent that keeps acting while its models train.",
    subcommands = {RunCommand.class, BenchCommand.class, BenchIoCommand.class, BenchTrainCommand.class,
        BenchExploreCommand.class, SoakCommand.class, ModelsCommand.class, ExportCommand.class,
        WorldCommand.class, ConsoleCommand.class, ClusterInitCommand.class})
public final class Main {
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    boolean hasSubcommand = args.length > 0 && cli.getSubcommands().containsKey(args[0]);
    // only help and version belong to the top level; any other option (--name, --resume, --config...) is run's
    boolean wantsTopLevel = args.length > 0 && List.of("-h", "--help", "-V", "--version").contains(args[0]);
    if (args.length > 0 && !hasSubcommand && !args[0].startsWith("-") && !args[0].contains("=")
        && !args[0].contains(".")) {
      // a plain word that is neither a command nor a key.path=value override: most likely a mistyped command
      String closest = closest(args[0], cli.getSubcommands().keySet());
      System.err.println("ami: unknown command '" + args[0] + "'" + (closest == null ? "" : "; did you mean '"
          + closest + "'?") + " Commands: " + String.join(", ", cli.getSubcommands().keySet())
          + " (or key.path=value overrides for run)");
      return ExitCodes.CONFIG;
    }
    if (!hasSubcommand && !wantsTopLevel) {
      String[] withRun = new String[args.length + 1];
      withRun[0] = "run";
      System.arraycopy(args, 0, withRun, 1, args.length);
      args = withRun;
    }
    return cli.execute(args);
  }

  /** The command within two edits of {@code word} (a typo, a swapped pair of letters), or null. */
  static String closest(String word, java.util.Collection<String> commands) {
    String best = null;
    int bestDistance = 3;
    for (String c : commands) {
      int d = distance(word, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
