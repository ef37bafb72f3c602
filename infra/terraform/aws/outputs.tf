output "state_table_name" {
  description = "DynamoDB state table (omnibroker config: state.dynamodb.table)."
  value       = aws_dynamodb_table.state.name
}

output "template_bucket" {
  description = "Template bucket (aws backend option templatesBucket)."
  value       = aws_s3_bucket.templates.bucket
}

output "region" {
  description = "Region of the state table and the stacks (aws backend option region)."
  value       = local.region
}

output "role_arn" {
  description = "Role the backend assumes (aws backend option roleArn)."
  value       = aws_iam_role.broker.arn
}

output "omnibroker_config" {
  description = "Fragments to paste into the omnibroker config file."
  value = {
    state = {
      type = "dynamodb"
      dynamodb = {
        table  = aws_dynamodb_table.state.name
        region = local.region
      }
    }
    backend = {
      name = "aws"
      type = "aws"
      options = {
        region          = local.region
        templatesBucket = aws_s3_bucket.templates.bucket
        templatesPrefix = var.templates_prefix
        roleArn         = aws_iam_role.broker.arn
        stackPrefix     = var.stack_prefix
      }
    }
  }
}
