package io.blacktree.worker;

/** Gets the job's push credentials from the configured {@link RegistryLogin}. */
final class LoginStep {
  private final RegistryLogin login;

  LoginStep(RegistryLogin login) {
    this.login = login;
  }

  RegistryAuth run(Job job) throws JobFailure {
    var req = job.request();
    RegistryAuth auth = login.login(req.getAwsAccountId(), job.region(), req.getEcrRepo(), job.redactor());
    job.log("registry " + auth.host() + (auth.hasCredentials() ? " (logged in as " + auth.username() + ")" : ""));
    return auth;
  }
}
