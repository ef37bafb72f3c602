data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = var.trusted_principal_arns
    }
  }
}

resource "aws_iam_role" "broker" {
  name               = "${var.name}-broker"
  description        = "Assumed by omnibroker's aws backend (its roleArn option)."
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

locals {
  stack_arn = "${local.arn_prefix}:cloudformation:${local.region}:${local.account_id}:stack/${var.stack_prefix}*/*"
}

# What the backend calls, and only on its own table, bucket and stacks. CloudFormation acts with the
# broker's permissions (no service role), so the resource permissions of the shipped templates follow.
data "aws_iam_policy_document" "broker" {
  statement {
    sid = "StateTable"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:DescribeTable",
    ]
    resources = [aws_dynamodb_table.state.arn]
  }

  statement {
    sid       = "ReadTemplates"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.templates.arn}/${var.templates_prefix}*"]
  }

  statement {
    sid       = "ListTemplates"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.templates.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.templates_prefix}*"]
    }
  }

  statement {
    sid = "OwnStacks"
    actions = [
      "cloudformation:CreateStack",
      "cloudformation:UpdateStack",
      "cloudformation:DeleteStack",
      "cloudformation:DescribeStacks",
      "cloudformation:DescribeStackEvents",
    ]
    resources = [local.stack_arn]
  }

  statement {
    sid       = "ResolveStackSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["${local.arn_prefix}:secretsmanager:${local.region}:${local.account_id}:secret:*"]

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/aws:cloudformation:stack-name"
      values   = ["${var.stack_prefix}*"]
    }
  }

  statement {
    sid       = "ResolveStackParameters"
    actions   = ["ssm:GetParameter"]
    resources = ["${local.arn_prefix}:ssm:${local.region}:${local.account_id}:parameter/*"]

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/aws:cloudformation:stack-name"
      values   = ["${var.stack_prefix}*"]
    }
  }

  # Resources the shipped templates create, on behalf of CloudFormation.
  statement {
    sid = "TemplateResources"
    actions = [
      "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucket*", "s3:GetBucket*", "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration", "s3:PutBucketTagging",
      "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:TagQueue",
      "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:UpdateTable", "dynamodb:DescribeContinuousBackups",
      "dynamodb:UpdateContinuousBackups", "dynamodb:TagResource", "dynamodb:ListTagsOfResource",
      "rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:DescribeDBInstances",
      "rds:CreateDBSubnetGroup", "rds:DeleteDBSubnetGroup", "rds:DescribeDBSubnetGroups", "rds:AddTagsToResource",
      "rds:CreateDBSnapshot",
      "elasticache:CreateReplicationGroup", "elasticache:ModifyReplicationGroup", "elasticache:DeleteReplicationGroup",
      "elasticache:DescribeReplicationGroups", "elasticache:CreateCacheSubnetGroup", "elasticache:DeleteCacheSubnetGroup",
      "elasticache:DescribeCacheSubnetGroups", "elasticache:AddTagsToResource", "elasticache:DescribeCacheClusters",
      "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupIngress", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
      "ec2:CreateTags",
      "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:PutSecretValue",
      "secretsmanager:UpdateSecret", "secretsmanager:TagResource", "secretsmanager:DescribeSecret",
      "secretsmanager:GetRandomPassword",
      "ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource",
    ]
    resources = ["*"]

    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "aws:CalledVia"
      values   = ["cloudformation.amazonaws.com"]
    }
  }

  # Per-binding IAM users of the S3, SQS and DynamoDB templates, only through CloudFormation.
  statement {
    sid = "TemplateUsers"
    actions = [
      "iam:CreateUser", "iam:DeleteUser", "iam:GetUser", "iam:PutUserPolicy", "iam:DeleteUserPolicy",
      "iam:GetUserPolicy", "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:TagUser",
    ]
    resources = ["${local.arn_prefix}:iam::${local.account_id}:user/${var.stack_prefix}*"]

    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "aws:CalledVia"
      values   = ["cloudformation.amazonaws.com"]
    }
  }

  dynamic "statement" {
    for_each = length(var.bind_hook_function_arns) > 0 ? [1] : []

    content {
      sid       = "BindHooks"
      actions   = ["lambda:InvokeFunction"]
      resources = var.bind_hook_function_arns
    }
  }
}

resource "aws_iam_policy" "broker" {
  name        = "${var.name}-broker"
  description = "Least privileges of omnibroker's aws backend."
  policy      = data.aws_iam_policy_document.broker.json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "broker" {
  role       = aws_iam_role.broker.name
  policy_arn = aws_iam_policy.broker.arn
}
