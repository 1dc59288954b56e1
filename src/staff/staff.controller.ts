import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../common/auth/auth.decorators';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { CreateStaffDto, StaffView } from './dto/staff.dto';
import { StaffService } from './staff.service';

@ApiTags('staff')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('v1/staff')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  @ApiCreatedResponse({ type: StaffView, description: 'The account; they sign in at /app/sign-in. The password is stored only as a hash.' })
  @ApiErrors(...BODY_ERRORS, {
    400: 'INVALID_SITES: managedSiteIds given for a role other than site_manager, or missing for one; INVALID_ADVISER: adviserId for a role other than adviser',
    409: 'STAFF_EXISTS: an account with that email',
    422: "UNKNOWN_ORGANISATION, UNKNOWN_SITE, UNKNOWN_ADVISER (none of the account's organisation)",
  })
  create(@Body() dto: CreateStaffDto): Promise<StaffView> {
    return this.staff.create(dto);
  }
}
