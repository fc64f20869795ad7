package io.blacktree.cli;

import picocli.CommandLine.Option;

/** {@code --help} alone, for commands whose own {@code --version} flag means a deployment version. */
final class HelpOption {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
}
