# Deploys the omnibroker chart (infra/kubernetes/omnibroker). The OSB credentials and the encryption keys go into
# a Secret created here (the chart's existingSecret), so they never appear in the Helm release's values.

locals {
  chart_path  = coalesce(var.chart_path, "${path.module}/../../kubernetes/omnibroker")
  secret_name = "${var.release_name}-credentials"
  state_type  = var.aws_state_table_name != null ? "dynamodb" : "redis"
  # The chart's fullname helper: the release name, suffixed with the chart name unless it already contains it.
  fullname = strcontains(var.release_name, "omnibroker") ? var.release_name : "${var.release_name}-omnibroker"

  service_account_annotations = merge(
    var.aws_role_arn == null ? {} : { "eks.amazonaws.com/role-arn" = var.aws_role_arn },
    var.azure_client_id == null ? {} : { "azure.workload.identity/client-id" = var.azure_client_id },
    var.azure_tenant_id == null ? {} : { "azure.workload.identity/tenant-id" = var.azure_tenant_id },
  )

  azure_backends = var.azure_backend_options == null ? [] : [
    { name = "azure", type = "azure", options = var.azure_backend_options },
  ]
  backends = var.backends == null && var.azure_backend_options == null ? null : concat(coalesce(var.backends, []), local.azure_backends)

  azure_secret_env = var.azure_client_secret == null ? [] : [{
    name      = "AZURE_CLIENT_SECRET"
    valueFrom = { secretKeyRef = { name = local.secret_name, key = "azure-client-secret" } }
  }]

  values = {
    replicaCount   = var.replicas
    existingSecret = local.secret_name
    image = merge(
      { repository = var.image_repository },
      var.image_tag == null ? {} : { tag = var.image_tag },
    )
    auth       = { username = var.broker_username }
    encryption = { keys = nonsensitive([for key in var.encryption_keys : { id = key.id }]) }
    state = {
      type = local.state_type
      redis = {
        url                = var.deploy_redis || var.redis_url == null ? "" : var.redis_url
        passwordFromSecret = var.redis_password != null
        sentinels          = var.redis_sentinels
        sentinelName       = var.redis_sentinel_name
      }
      dynamodb = {
        table  = coalesce(var.aws_state_table_name, "omnibroker")
        region = var.aws_region
      }
    }
    redis = { enabled = var.deploy_redis }
    config = merge(
      { log = { level = var.log_level } },
      local.backends == null ? {} : { backends = local.backends },
    )
    serviceAccount = { annotations = local.service_account_annotations }
    extraEnv       = local.azure_secret_env
    podLabels      = var.azure_client_id == null ? {} : { "azure.workload.identity/use" = "true" }
    rbac = {
      clusterWide       = length(var.service_namespaces) == 0
      serviceNamespaces = var.service_namespaces
    }
    clusterServiceBroker = {
      enabled        = var.register_cluster_service_broker
      relistBehavior = "Duration"
      relistDuration = var.relist_duration
    }
    metrics = {
      serviceMonitor = { enabled = var.monitoring }
      prometheusRule = { enabled = var.monitoring }
      dashboard      = { enabled = var.monitoring }
    }
  }
}

resource "kubernetes_namespace" "omnibroker" {
  count = var.create_namespace ? 1 : 0

  metadata {
    name = var.namespace
  }
}

resource "kubernetes_namespace" "services" {
  for_each = var.create_service_namespaces ? toset(var.service_namespaces) : toset([])

  metadata {
    name = each.value
  }
}

resource "kubernetes_secret" "credentials" {
  metadata {
    name      = local.secret_name
    namespace = var.namespace
  }

  data = merge(
    {
      username = var.broker_username
      password = var.broker_password
    },
    { for key in var.encryption_keys : "encryption-key-${key.id}" => key.secret },
    var.redis_password == null ? {} : { "redis-password" = var.redis_password },
    var.azure_client_secret == null ? {} : { "azure-client-secret" = var.azure_client_secret },
  )

  depends_on = [kubernetes_namespace.omnibroker]
}

resource "helm_release" "omnibroker" {
  name              = var.release_name
  chart             = local.chart_path
  namespace         = var.namespace
  dependency_update = var.deploy_redis
  wait              = true
  timeout           = 300

  values = concat([yamlencode(local.values)], var.extra_values_yaml)

  depends_on = [kubernetes_secret.credentials, kubernetes_namespace.services]
}
