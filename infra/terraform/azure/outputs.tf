output "omnibroker_backend_options" {
  description = "The options block of a `type: azure` backend in the omnibroker config (add adminPasswordKey yourself)."
  value = merge(
    {
      subscriptionId = var.subscription_id
      resourceGroup  = azurerm_resource_group.broker.name
      location       = azurerm_resource_group.broker.location
      credentials = {
        tenantId     = data.azuread_client_config.current.tenant_id
        clientId     = azuread_application.broker.client_id
        clientSecret = "$${AZURE_CLIENT_SECRET}"
      }
    },
    var.enable_private_network ? {
      delegatedSubnetResourceId = azurerm_subnet.mysql[0].id
      privateDnsZoneResourceId  = azurerm_private_dns_zone.mysql[0].id
    } : {}
  )
}

output "client_secret" {
  description = "The service principal's client secret: put it in AZURE_CLIENT_SECRET where the broker runs."
  value       = azuread_application_password.broker.value
  sensitive   = true
}

output "tenant_id" {
  description = "Entra tenant of the service principal."
  value       = data.azuread_client_config.current.tenant_id
}

output "client_id" {
  description = "Application (client) id of the service principal."
  value       = azuread_application.broker.client_id
}

output "resource_group_id" {
  description = "Resource id of the resource group the role is scoped to."
  value       = azurerm_resource_group.broker.id
}
