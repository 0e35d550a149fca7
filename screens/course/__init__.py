"""The APV course's screens (issue 9): the forløb, the vurdering, the handleplan, the
særskilt spor's plans and the sygefravær. They read and write through the course door
(facilitator.course.service.Course), in threads; none of them is for the projector."""
