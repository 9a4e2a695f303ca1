package dev.ami.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar ami.jar [run|bench|...] [options] [key.path=value ...]}; no subcommand means run. */
@Command(name = "ami", mixinStandardHelpOptions = true, version = "ami-runtime 0.1.0",
    description = "Runs a curiosity-driven agent that keeps acting while its models train.",
    subcommands = {RunCommand.class, BenchCommand.class, BenchIoCommand.class, BenchTrainCommand.class,
        BenchExploreCommand.class, SoakCommand.class,
        WorldCommand.class, ConsoleCommand.class})
public final class Main {
  /** Exit code for a configuration that cannot be used. */
  public static final int EXIT_CONFIG = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    boolean hasSubcommand = args.length > 0 && cli.getSubcommands().containsKey(args[0]);
    boolean wantsTopLevel = args.length > 0 && args[0].startsWith("-") && !args[0].startsWith("--config");
    if (args.length > 0 && !hasSubcommand && !args[0].startsWith("-") && !args[0].contains("=")
        && !args[0].contains(".")) {
      // a plain word that is neither a command nor a key.path=value override: most likely a mistyped command
      System.err.println("ami: unknown command '" + args[0] + "'; commands: "
          + String.join(", ", cli.getSubcommands().keySet()) + " (or key.path=value overrides for run)");
      return EXIT_CONFIG;
    }
    if (!hasSubcommand && !wantsTopLevel) {
      String[] withRun = new String[args.length + 1];
      withRun[0] = "run";
      System.arraycopy(args, 0, withRun, 1, args.length);
      args = withRun;
    }
    return cli.execute(args);
  }
}
