# State written before modules/platform existed holds every module at the root;
# these blocks carry it into the platform call so that apply moves addresses
# instead of destroying and recreating the environment. An environment whose
# state has no root-level module left can drop this file.

moved {
  from = module.project
  to   = module.platform.module.project
}

moved {
  from = module.network
  to   = module.platform.module.network
}

moved {
  from = module.gke
  to   = module.platform.module.gke
}

moved {
  from = module.cloudsql
  to   = module.platform.module.cloudsql
}

# The instance of redis_mode = "instance" (the only Redis there was).
moved {
  from = module.redis
  to   = module.platform.module.redis[0]
}

moved {
  from = module.pubsub
  to   = module.platform.module.pubsub
}

moved {
  from = module.artifact_registry
  to   = module.platform.module.artifact_registry
}

moved {
  from = module.secrets
  to   = module.platform.module.secrets
}

moved {
  from = module.workload_identity
  to   = module.platform.module.workload_identity
}

moved {
  from = module.edge
  to   = module.platform.module.edge
}
