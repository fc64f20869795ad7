package io.blacktree.deploy;

import io.blacktree.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * What {@code blacktree --help} and {@code blacktree <command> --help} print, read the way a user reads them:
 * the commands, and for each command its flags and the {@code BLACKTREE_*} variables it reads (one per flag,
 * {@code --git-token-file} -> {@code BLACKTREE_GIT_TOKEN_FILE}, plus any variable the help names, such as
 * {@code BLACKTREE_AUTH_TOKEN}). The help comes from the CLI in this JVM, so it is always the code just built.
 */
final class CliSurface {
  private static final Pattern COMMAND_LINE = Pattern.compile("^ {2}([a-z][a-z0-9-]*) {2,}");
  private static final Pattern OPTION_LINE = Pattern.compile("^ {2,6}(?:-[A-Za-z], )?(--[a-z0-9][a-z0-9-]*)");
  private static final Pattern VARIABLE = Pattern.compile("\\bBLACKTREE_[A-Z0-9_]+\\b");

  private final Map<String, Command> commands;

  private CliSurface(Map<String, Command> commands) {
    this.commands = Map.copyOf(commands);
  }

  /** One command's help, read. */
  record Command(String name, Set<String> flags, Set<String> variables, String help) {}

  /** Runs {@code blacktree --help}, then {@code --help} of every command it lists. */
  static CliSurface fromHelp() {
    String top = help();
    Map<String, Command> commands = new LinkedHashMap<>();
    boolean inCommands = false;
    for (String line : top.split("\n")) {
      if (line.startsWith("Commands:")) {
        inCommands = true;
        continue;
      }
      Matcher m = COMMAND_LINE.matcher(line);
      if (inCommands && m.find() && !m.group(1).equals("help")) {
        commands.put(m.group(1), read(m.group(1), help(m.group(1))));
      }
    }
    if (commands.isEmpty()) {
      throw new IllegalStateException("blacktree --help listed no commands:\n" + top);
    }
    return new CliSurface(commands);
  }

  private static Command read(String name, String help) {
    Set<String> flags = new TreeSet<>();
    Set<String> variables = new TreeSet<>();
    for (String line : help.split("\n")) {
      Matcher m = OPTION_LINE.matcher(line);
      if (m.find()) {
        flags.add(m.group(1));
      }
    }
    for (String flag : flags) {
      if (!flag.equals("--help") && !flag.equals("--version")) {
        variables.add("BLACKTREE_" + flag.substring(2).replace('-', '_').toUpperCase(Locale.ROOT));
      }
    }
    Matcher named = VARIABLE.matcher(help);
    while (named.find()) {
      variables.add(named.group());
    }
    return new Command(name, Set.copyOf(flags), Set.copyOf(variables), help);
  }

  private static String help(String... command) {
    CommandLine cli = Main.newCommandLine(Map.of());
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    String[] args = new String[command.length + 1];
    System.arraycopy(command, 0, args, 0, command.length);
    args[command.length] = "--help";
    int code = cli.execute(args);
    if (code != 0) {
      throw new IllegalStateException("blacktree " + String.join(" ", args) + " exited " + code);
    }
    return out.toString();
  }

  Set<String> commandNames() {
    return new TreeSet<>(commands.keySet());
  }

  /** The command, or null when {@code blacktree --help} does not list it. */
  Command command(String name) {
    return commands.get(name);
  }
}
