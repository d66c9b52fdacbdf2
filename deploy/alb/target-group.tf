# The ALB target group for an ECS service whose tasks run healthgate next to
# the app (deploy/ecs/task-definition.json). Traffic goes to the app on 8080;
# the health check goes to healthgate on 8081, which answers /health from
# memory and turns it to 503 on SIGTERM while the app keeps serving.
#
# The same settings as target-group.yaml; tests/deploy/check_deploy.py holds
# the two, and the task definition, to the same numbers and to
# `healthgate plan`.

variable "vpc_id" {
  description = "VPC of the ECS service's subnets"
  type        = string
}

resource "aws_lb_target_group" "app" {
  name             = "shop-app"
  vpc_id           = var.vpc_id
  target_type      = "ip" # awsvpc tasks register by IP
  protocol         = "HTTP"
  protocol_version = "HTTP1"
  port             = 8080

  # ECS waits this long after deregistering a task before its SIGTERM.
  # The default, 300, was five of a deploy's six minutes.
  deregistration_delay = 30

  health_check {
    enabled  = true
    protocol = "HTTP"
    # healthgate's port, not the traffic port: the task's security group
    # must let the ALB reach 8081 as well as 8080.
    port = "8081"
    path = "/health"
    # 10 s / 5 s / 2 / 2 against the ALB defaults of 30 s and healthy 5:
    # healthgate plan: start_to_routing 16s typical, 23s worst
    # healthgate plan: routed_sigterm_to_unrouted 15s typical, 20s worst
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
    matcher             = "200"
  }
}

output "target_group_arn" {
  description = "For the ECS service's load_balancer block (container app, port 8080)"
  value       = aws_lb_target_group.app.arn
}
