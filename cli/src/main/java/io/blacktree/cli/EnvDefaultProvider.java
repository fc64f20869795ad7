package io.blacktree.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option falls back to an environment variable {@code BLACKTREE_<FLAG>}: {@code --temporal} reads
 * {@code BLACKTREE_TEMPORAL}, {@code --docker-host} reads {@code BLACKTREE_DOCKER_HOST}. A flag on the command
 * line wins over the variable, the variable over the built-in default. {@code --help}/{@code --version} and
 * positional parameters have no variable.
 */
public final class EnvDefaultProvider implements IDefaultValueProvider {
  static final String PREFIX = "BLACKTREE_";

  private final Map<String, String> env;

  public EnvDefaultProvider(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** The variable an option reads, e.g. {@code --git-allowed-hosts} -> {@code BLACKTREE_GIT_ALLOWED_HOSTS}. */
  public static String variableFor(OptionSpec option) {
    String name = option.longestName().replaceFirst("^-+", "");
    return PREFIX + name.replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
      return null;
    }
    String value = env.get(variableFor(option));
    return value == null || value.isEmpty() ? null : value;
  }
}
