variable "subscription_id" {
  description = "Azure subscription in which the broker creates MySQL Flexible Servers."
  type        = string
}

variable "location" {
  description = "Azure region of the resource group and of the servers the broker creates (e.g. westeurope)."
  type        = string
}

variable "resource_group_name" {
  description = "Name of the resource group that holds every server the broker creates."
  type        = string
  default     = "rg-omnibroker-mysql"
}

variable "service_principal_name" {
  description = "Display name of the Entra application and service principal the broker signs in as."
  type        = string
  default     = "omnibroker-azure-mysql"
}

variable "client_secret_rotation_days" {
  description = "Days after which the service principal's client secret is replaced (terraform apply rotates it)."
  type        = number
  default     = 180
}

variable "enable_private_network" {
  description = "Create a VNet with a subnet delegated to MySQL Flexible Server and a private DNS zone, so servers get private access only."
  type        = bool
  default     = false
}

variable "vnet_address_space" {
  description = "Address space of the VNet (used when enable_private_network is true)."
  type        = string
  default     = "10.42.0.0/16"
}

variable "mysql_subnet_prefix" {
  description = "Address prefix of the subnet delegated to Microsoft.DBforMySQL/flexibleServers (inside vnet_address_space)."
  type        = string
  default     = "10.42.1.0/24"
}

variable "linked_vnet_ids" {
  description = "Extra VNets (resource ids, e.g. where the apps and the broker run) linked to the private DNS zone."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags put on every resource this module creates."
  type        = map(string)
  default     = { managed-by = "terraform", purpose = "omnibroker" }
}
