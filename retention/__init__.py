"""What the house keeps and for how long: the personal data of closed orders erased after the retention period
(PIPL), each app erasing its own tables through its own services, each run recorded."""
