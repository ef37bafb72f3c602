# Cluster access

variable "kubeconfig_path" {
  description = "Path of the kubeconfig used by the kubernetes and helm providers."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "kubeconfig context to use; null uses the current context."
  type        = string
  default     = null
}

# Release

variable "namespace" {
  description = "Namespace omnibroker runs in (created when create_namespace is true)."
  type        = string
  default     = "omnibroker"
}

variable "create_namespace" {
  description = "Create the namespace; false when it already exists."
  type        = bool
  default     = true
}

variable "release_name" {
  description = "Helm release name; the Deployment, Service and Secret are named after it."
  type        = string
  default     = "omnibroker"
}

variable "chart_path" {
  description = "Path of the omnibroker chart; null uses infra/kubernetes/omnibroker of this repository."
  type        = string
  default     = null
}

variable "image_repository" {
  description = "omnibroker image repository (built from the Dockerfile at the repository root)."
  type        = string
  default     = "ghcr.io/omnibroker/omnibroker"
}

variable "image_tag" {
  description = "Image tag; null uses the chart's appVersion."
  type        = string
  default     = null
}

variable "replicas" {
  description = "Broker replicas; two or more so a rollout or a node loss never stops the OSB endpoint."
  type        = number
  default     = 2

  validation {
    condition     = var.replicas >= 2
    error_message = "replicas must be at least 2 (the state is shared, so any replica can serve)."
  }
}

# OSB auth and encryption (kept in a Secret this module creates, never in the Helm values)

variable "broker_username" {
  description = "Basic-auth user the platforms use."
  type        = string
  default     = "platform"
}

variable "broker_password" {
  description = "Basic-auth password the platforms use (at least 8 characters)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.broker_password) >= 8
    error_message = "broker_password must have at least 8 characters."
  }
}

variable "encryption_keys" {
  description = "Encryption keys, newest first: the first encrypts, all decrypt. Secrets of at least 32 characters."
  type = list(object({
    id     = string
    secret = string
  }))
  sensitive = true

  validation {
    condition     = length(var.encryption_keys) > 0 && alltrue([for key in var.encryption_keys : length(key.secret) >= 32])
    error_message = "encryption_keys needs at least one key, each secret at least 32 characters long."
  }
}

# State store: DynamoDB when aws_state_table_name is set, else Redis

variable "redis_url" {
  description = "External Redis, e.g. redis://redis.data:6379/0; ignored when deploy_redis or aws_state_table_name is set."
  type        = string
  default     = null
}

variable "redis_password" {
  description = "Password of the external Redis (stored in the broker's Secret)."
  type        = string
  default     = null
  sensitive   = true
}

variable "redis_sentinels" {
  description = "Sentinel nodes of the external Redis; the master is then discovered through them."
  type = list(object({
    host = string
    port = number
  }))
  default = []
}

variable "redis_sentinel_name" {
  description = "Master group name monitored by Sentinel."
  type        = string
  default     = "mymaster"
}

variable "deploy_redis" {
  description = "Deploy Redis with the chart's Bitnami redis dependency instead of using redis_url."
  type        = bool
  default     = false
}

# Inputs from infra/terraform/aws and infra/terraform/azure

variable "aws_state_table_name" {
  description = "DynamoDB state table (output state_table_name of infra/terraform/aws); selects the dynamodb store."
  type        = string
  default     = null
}

variable "aws_region" {
  description = "AWS region of the state table (output region of infra/terraform/aws)."
  type        = string
  default     = "eu-west-1"
}

variable "aws_role_arn" {
  description = "IAM role the broker assumes through IRSA (output role_arn of infra/terraform/aws)."
  type        = string
  default     = null
}

variable "azure_client_id" {
  description = "Client id of the managed identity for Azure workload identity (output client_id of infra/terraform/azure)."
  type        = string
  default     = null
}

variable "azure_tenant_id" {
  description = "Tenant of that identity (output tenant_id of infra/terraform/azure)."
  type        = string
  default     = null
}

variable "azure_client_secret" {
  description = "Service principal secret (output client_secret of infra/terraform/azure); given to the pod as AZURE_CLIENT_SECRET."
  type        = string
  default     = null
  sensitive   = true
}

variable "azure_backend_options" {
  description = "Options of an `azure` backend (output omnibroker_backend_options of infra/terraform/azure); adds backend `azure`."
  type        = any
  default     = null
}

# Broker config and options

variable "backends" {
  description = "The config's backends list (see omnibroker.example.yaml); null keeps the chart's local-helm default."
  type        = any
  default     = null
}

variable "log_level" {
  description = "pino log level: trace, debug, info, warn, error."
  type        = string
  default     = "info"
}

variable "service_namespaces" {
  description = "Namespaces the local-helm backend installs charts into (a Role in each); empty grants cluster-wide."
  type        = list(string)
  default     = ["services"]
}

variable "create_service_namespaces" {
  description = "Create the service_namespaces (the chart's Roles live there); false when they exist already."
  type        = bool
  default     = true
}

variable "register_cluster_service_broker" {
  description = "Create the ClusterServiceBroker of Kubernetes Service Catalog pointing at the broker."
  type        = bool
  default     = false
}

variable "relist_duration" {
  description = "How often Service Catalog re-reads the catalog (relistBehavior Duration)."
  type        = string
  default     = "15m0s"
}

variable "monitoring" {
  description = "Ship the PrometheusRule, the ServiceMonitor and the Grafana dashboard ConfigMap (prometheus-operator, Grafana sidecar)."
  type        = bool
  default     = false
}

variable "extra_values_yaml" {
  description = "Further Helm values documents (YAML), applied after this module's values."
  type        = list(string)
  default     = []
}
