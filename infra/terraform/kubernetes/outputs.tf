output "namespace" {
  description = "Namespace omnibroker runs in."
  value       = var.namespace
}

output "broker_url" {
  description = "In-cluster OSB endpoint (what a ClusterServiceBroker or a platform inside the cluster uses)."
  value       = "http://${local.fullname}.${var.namespace}.svc.cluster.local:8080"
}

output "credentials_secret_name" {
  description = "Secret with the OSB basic-auth username/password (also the ClusterServiceBroker's auth Secret)."
  value       = kubernetes_secret.credentials.metadata[0].name
}

output "release_revision" {
  description = "Revision of the Helm release."
  value       = helm_release.omnibroker.metadata[0].revision
}
